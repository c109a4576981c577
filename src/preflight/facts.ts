/**
 * Everything preflight asks a node, in ONE remote script (factSet): who we run as, distro and
 * hostname, how both node names resolve, /etc/hosts, time sync, the DRBD module, the firewall
 * and SELinux. Every probe is read-only; every parser is pure and tested on recorded output.
 */
import type {ClusterConfig} from '../config/schema.js'
import {factSet, shq, type Fact, type FactSet} from '../facts/fact.js'
import {fileFact, type FileInfo} from '../facts/file.js'
import {keyValues, osFact, type OsInfo} from '../facts/os.js'
import {firewalldFact, nftFact, ufwFact, type FirewalldInfo, type NftInfo, type UfwInfo} from '../distro/firewall.js'
import {selinuxFact, type SelinuxInfo} from '../distro/selinux.js'
import {chronyFact, timedatectlFact, timeDaemonsFact, type ChronyInfo, type TimedatectlInfo, type TimeDaemons} from './time-facts.js'

export const HOSTS_FILE = '/etc/hosts'

export interface Identity {
  uid: number | null
  /** Set when the script came through sudo (the SSH user is not root). */
  sudoUser: string | null
  /** The node's clock (seconds since 1970) when the facts were read, to compare the two nodes. */
  epoch: number | null
}

/** IPv4 addresses each name resolves to, in the resolver's order (the first is the one programs use). */
export type NameResolution = Record<string, string[]>

export interface DrbdModule {
  /** From modinfo (the module on disk) or /proc/drbd (the loaded one). */
  version: string | null
  loaded: boolean
  kernel: string
  /** drbdadm's own version (DRBDADM_VERSION of `drbdadm --version`); null when drbd-utils is not installed. */
  utils: string | null
}

export interface PreflightFacts {
  identity: Identity
  os: OsInfo
  names: NameResolution
  hosts: FileInfo
  timedatectl: TimedatectlInfo
  chrony: ChronyInfo
  timeDaemons: TimeDaemons
  drbd: DrbdModule
  firewalld: FirewalldInfo
  ufw: UfwInfo
  nft: NftInfo
  selinux: SelinuxInfo
}

export const identityFact: Fact<Identity> = {
  command: 'echo "uid=$(id -u)"; echo "sudo_user=${SUDO_USER:-}"; echo "epoch=$(date +%s)"',
  parse(stdout) {
    const kv = keyValues(stdout)
    const int = (v: string | undefined) => (/^\d+$/.test(v ?? '') ? Number(v) : null)
    return {uid: int(kv.uid), sudoUser: kv.sudo_user ? kv.sudo_user : null, epoch: int(kv.epoch)}
  },
}

/**
 * How each name resolves through the node's own resolver (nsswitch: /etc/hosts, then DNS).
 * `ahostsv4` because cluster addresses are IPv4 and `getent hosts` prefers an IPv6 answer; but
 * ahostsv4 answers nothing on a host without a non-loopback IPv4 address (AI_ADDRCONFIG), so
 * `getent hosts` is the fallback (the parser keeps IPv4 answers only).
 */
export function namesFact(names: string[]): Fact<NameResolution> {
  return {
    command: `for n in ${names.map(shq).join(' ')}; do echo "name $n"; { getent ahostsv4 "$n" || getent hosts "$n"; } | awk '{print $1}' | uniq; done; true`,
    parse(stdout) {
      const out: NameResolution = {}
      let current: string[] | undefined
      for (const line of stdout.split('\n').map((l) => l.trim())) {
        if (line.startsWith('name ')) out[line.slice(5)] = current = []
        else if (current && /^\d+\.\d+\.\d+\.\d+$/.test(line) && !current.includes(line)) current.push(line)
      }
      return out
    },
  }
}

/** The DRBD module on disk (modinfo), loaded (/sys/module), its version line (/proc/drbd) and the drbd-utils version. */
export const drbdModuleFact: Fact<DrbdModule> = {
  command: `echo "kernel=$(uname -r)"
echo "modinfo=$(modinfo -F version drbd 2>/dev/null)"
[ -d /sys/module/drbd ] && echo "loaded=yes"
[ -r /proc/drbd ] && echo "proc=$(head -n1 /proc/drbd)"
drbdadm --version 2>/dev/null | sed -n 's/^DRBDADM_VERSION=/utils=/p'
true`,
  parse(stdout) {
    const kv = keyValues(stdout)
    const fromProc = /^version:\s*(\S+)/.exec(kv.proc ?? '')?.[1]
    const version = (kv.modinfo ?? '').trim() || fromProc || null
    return {version, loaded: kv.loaded === 'yes' || fromProc !== undefined, kernel: (kv.kernel ?? '').trim(), utils: kv.utils?.trim() || null}
  },
}

/** The one preflight script; the same for both nodes (each resolves both names). */
export function preflightFacts(config: ClusterConfig): FactSet<PreflightFacts> {
  // The interface the VIP lives on is the one cluster traffic crosses; firewalld judges it by its zone.
  const iface = config.vip.interface
  return factSet({
    identity: identityFact,
    os: osFact,
    names: namesFact(config.nodes.map((n) => n.name)),
    hosts: fileFact(HOSTS_FILE),
    timedatectl: timedatectlFact,
    chrony: chronyFact,
    timeDaemons: timeDaemonsFact,
    drbd: drbdModuleFact,
    firewalld: firewalldFact(iface),
    ufw: ufwFact,
    nft: nftFact,
    selinux: selinuxFact,
  }) satisfies FactSet<PreflightFacts>
}
