/**
 * Pure: the cluster file and each node's facts in, findings out. Each check says ok, warn or
 * fail, why, and what to do; the ones `--fix` may repair carry a `repair`. Evaluating the facts
 * read after a fix must find nothing left to repair (that is how --fix verifies itself).
 */
import {vipHostName} from '../templates/scripts/ha-params.js'
import {nodeIp} from '../config/address.js'
import type {ClusterConfig, NodeConfig} from '../config/schema.js'
import type {PreflightFacts} from './facts.js'
import type {Finding, Unreachable} from './finding.js'
import {judgeFirewall} from './firewall-judge.js'
import {conflictingLines, nodeAddresses, withHostsBlock} from './hosts-block.js'
import {stackOf} from '../stacks/registry.js'
import {judgeDistro, type DistroVerdict, type PackageFamily} from '../distro/family.js'
import {judgeSelinux} from '../distro/selinux.js'
import {packageNames} from '../distro/packages.js'
import {elrepo} from '../distro/repos.js'
import {HA_SCRIPT_DIR} from '../templates/scripts/paths.js'

export type NodeFacts = PreflightFacts | Unreachable

/** Clocks further apart than this confuse logs, certificates and corosync's view of events. */
export const MAX_CLOCK_SKEW_SECONDS = 5

export const isUnreachable = (f: NodeFacts | undefined): f is Unreachable => f === undefined || 'unreachable' in f

export interface EvaluateOptions {
  /** `--force-distro`: the package family to assume on an unsupported distribution. */
  forceDistro?: PackageFamily
}

export function evaluate(config: ClusterConfig, factsByNode: Record<string, NodeFacts>, opts: EvaluateOptions = {}): Finding[] {
  const findings: Finding[] = []
  for (const node of config.nodes) {
    const facts = factsByNode[node.name]
    if (isUnreachable(facts)) {
      findings.push({node: node.name, check: 'ssh', level: 'fail', message: facts?.unreachable ?? 'no facts were read', fix: facts?.hint ?? `check that ${node.ssh.user}@${node.address}:${node.ssh.port} accepts SSH`})
      continue
    }
    const distro = judgeDistro(facts.os, opts.forceDistro)
    findings.push(
      checkSsh(node, facts),
      checkHostname(node, facts),
      checkDistro(node, distro),
      ...config.nodes.map((named) => checkResolves(config, node, named, facts)),
      checkTime(node, facts, distro),
      ...(stackOf(config).service.usesDrbd ? [checkDrbd(node, facts, distro)] : []),
      ...judgeFirewall(config, node, facts),
      checkSelinux(config, node, facts),
      ...(stackOf(config).service.servesNfs ? [checkLockNotices(config, node, facts)] : []),
    )
  }
  findings.push(...clusterChecks(config, factsByNode))
  return findings
}

/** The first name an /etc/hosts text gives an address (comments and blank lines skipped). */
export function hostsNameFor(content: string | null, address: string): string | undefined {
  for (const line of (content ?? '').split('\n')) {
    const [ip, name] = line.replace(/#.*/, '').trim().split(/\s+/)
    if (ip === address && name) return name
  }
  return undefined
}

/**
 * NFSv3 clients are told to reclaim their locks by sm-notify, sent from the VIP. Given an address,
 * sm-notify needs a name for it and exits without one (docs/nfs-failover.md): a VIP that /etc/hosts
 * names is used as it is; any other is named privately by each takeover, which needs `unshare`
 * (util-linux, on every supported distribution). Nothing to fix either way: this says which applies.
 */
function checkLockNotices(config: ClusterConfig, node: NodeConfig, f: PreflightFacts): Finding {
  const vip = config.vip.address
  const named = hostsNameFor(f.hosts.content, vip)
  const message = named
    ? `NFSv3 lock notices go out from ${vip} as ${named} (its name in /etc/hosts)`
    : `/etc/hosts names no ${vip}: each takeover sends NFSv3 lock notices (sm-notify) from a mount namespace of its own whose /etc/hosts adds "${vip} ${vipHostName(config.name)}" (needs unshare, util-linux); nothing on the node changes`
  return {node: node.name, check: 'nfs lock notices', level: 'ok', message}
}

function checkSsh(node: NodeConfig, f: PreflightFacts): Finding {
  const who = `${node.ssh.user}@${node.address}:${node.ssh.port}`
  if (f.identity.uid === 0) {
    const how = f.identity.sudoUser ? `, commands run as root through sudo -n (for ${f.identity.sudoUser})` : ', commands run as root'
    return {node: node.name, check: 'ssh', level: 'ok', message: `connected as ${who}${how}`}
  }
  return {
    node: node.name,
    check: 'ssh',
    level: 'fail',
    message: `connected as ${who}, but commands run as uid ${f.identity.uid ?? '?'}, not root`,
    fix: `let ${node.ssh.user} run sudo without a password (a file in /etc/sudoers.d: "${node.ssh.user} ALL=(ALL) NOPASSWD: ALL"), or connect as root`,
  }
}

function checkHostname(node: NodeConfig, f: PreflightFacts): Finding {
  const actual = f.os.hostname
  if (actual === node.name) return {node: node.name, check: 'hostname', level: 'ok', message: `uname -n is ${actual}`}
  // Renaming a host is not a "safe" repair (other services know it by name): the operator chooses.
  return {
    node: node.name,
    check: 'hostname',
    level: 'fail',
    message: `uname -n is "${actual}" but the cluster file calls this node "${node.name}"; DRBD and heartbeat find their own section by uname -n`,
    fix: `set the hostname (hostnamectl set-hostname ${node.name}) or change the node's name in the cluster file to ${actual}; DRBD and heartbeat need them equal`,
  }
}

/** The distro layer's verdict (distro/family.ts), as the steps will judge it: an unsupported distribution fails unless forced. */
function checkDistro(node: NodeConfig, distro: DistroVerdict): Finding {
  if (!distro.ok) return {node: node.name, check: 'distro', level: 'fail', message: distro.message, fix: distro.hint}
  return {node: node.name, check: 'distro', level: distro.forced ? 'warn' : 'ok', message: distro.message}
}

/**
 * How `named` resolves on `node`. Every answer counts, not just the first: getaddrinfo() returns
 * each /etc/hosts line naming the host, sorted, and programs try them in that order.
 */
function checkResolves(config: ClusterConfig, node: NodeConfig, named: NodeConfig, f: PreflightFacts): Finding {
  const check = `resolve ${named.name}`
  const wanted = nodeAddresses(named)
  const got = f.names[named.name] ?? []
  if (got.length > 0 && got.every((a) => wanted.includes(a))) return {node: node.name, check, level: 'ok', message: `${named.name} resolves to ${got.join(', ')}`}

  const strict = stackOf(config).manager.needsExactNameResolution
  const wrong = got.filter((a) => !wanted.includes(a))
  // Corosync and heartbeat look their own name up to pick the interface; a loopback answer isolates the node.
  const level = got.length === 0 ? 'warn' : wrong.every((a) => a.startsWith('127.')) && !strict ? 'warn' : 'fail'
  const message =
    got.length === 0
      ? `${named.name} does not resolve on ${node.name}`
      : `${named.name} resolves to ${got.join(', ')} on ${node.name}, but the cluster file says ${wanted.join(' or ')}` +
        (wrong.some((a) => a.startsWith('127.')) ? ' (a loopback answer: cluster software that looks the name up would talk to itself)' : '')

  const conflicts = conflictingLines(f.hosts.content, named.name, wanted)
  if (conflicts.length > 0) {
    // Not repaired: these are the operator's lines, and another entry cannot outvote them.
    const lines = conflicts.map((l) => `"${l}"`).join(', ')
    return {node: node.name, check, level, message, fix: `remove ${named.name} from these /etc/hosts lines: ${lines}; keep "${nodeIp(named)} ${named.name}" (hapair preflight --fix writes it)`}
  }
  if (withHostsBlock(f.hosts.content, config) === (f.hosts.content ?? '')) {
    return {node: node.name, check, level, message, fix: `/etc/hosts already has hapair's entry: make the "hosts:" line of /etc/nsswitch.conf list "files" before "dns"`}
  }
  return {node: node.name, check, level, message, fix: `add "${nodeIp(named)} ${named.name}" to /etc/hosts (--fix writes both names in a "# BEGIN hapair" block)`, fixable: true, repair: {kind: 'hosts'}}
}

function checkTime(node: NodeConfig, f: PreflightFacts, distro: DistroVerdict): Finding {
  const family = distro.ok ? distro.family : undefined
  const {timedatectl: td, chrony, timeDaemons} = f
  const check = 'time sync'
  if (td.synchronized || chrony.synchronized) {
    const by = chrony.synchronized ? 'chrony' : timeDaemons.active.includes('systemd-timesyncd') ? 'systemd-timesyncd' : 'NTP'
    return {node: node.name, check, level: 'ok', message: `clock synchronised (${by})`}
  }
  if (timeDaemons.container) {
    // systemd-timesyncd refuses to run in containers (ConditionVirtualization=!container): the host sets the clock.
    return {node: node.name, check, level: 'ok', message: `the node is a container (${timeDaemons.container}): its clock is the host's, keep time sync on there`}
  }
  const ntpd = timeDaemons.active.find((u) => u === 'ntp' || u === 'ntpd' || u === 'ntpsec')
  if (ntpd) return {node: node.name, check, level: 'ok', message: `${ntpd} is running (check its synchronisation with \`ntpq -p\`)`}
  if (td.ntp || chrony.running || timeDaemons.active.length > 0) {
    const by = chrony.running ? 'chrony' : timeDaemons.active[0] ?? 'NTP'
    return {
      node: node.name,
      check,
      level: 'warn',
      message: `time sync is on (${by}) but the clock is not synchronised yet`,
      fix: chrony.running ? 'check the NTP servers are reachable: chronyc sources' : 'check the NTP servers are reachable: timedatectl timesync-status',
    }
  }
  const unit = family === 'apt' ? 'chrony' : 'chronyd'
  if (td.available && td.canNtp) {
    return {node: node.name, check, level: 'warn', message: 'no time sync is running', fix: 'timedatectl set-ntp true', fixable: true, repair: {kind: 'timesync', title: 'switch time sync on', script: 'timedatectl set-ntp true'}}
  }
  if (timeDaemons.installed.includes('chrony')) {
    const script = `systemctl enable --now ${unit}`
    return {node: node.name, check, level: 'warn', message: 'chrony is installed but not running', fix: script, fixable: true, repair: {kind: 'timesync', title: `start ${unit}`, script}}
  }
  const install = family === 'apt' ? 'apt-get install chrony' : `${family ?? 'dnf'} install chrony`
  return {node: node.name, check, level: 'warn', message: 'no time sync service is installed', fix: `${install} (it starts by itself)`}
}

function checkDrbd(node: NodeConfig, f: PreflightFacts, distro: DistroVerdict): Finding {
  const {drbd, os} = f
  if (drbd.version) {
    const utils = drbd.utils ? `, drbd-utils ${drbd.utils}` : ''
    // drbd-utils 9 drives both 8.4 and 9 modules; 8.x utils cannot configure a DRBD 9 module.
    if (drbd.version.startsWith('9.') && drbd.utils && !/^9\./.test(drbd.utils)) {
      return {node: node.name, check: 'drbd module', level: 'fail', message: `DRBD ${drbd.version} kernel module but drbd-utils ${drbd.utils}, which cannot configure DRBD 9`, fix: `install drbd-utils 9 (${distro.ok ? packageNames(['drbd'], distro.family).join(' ') : 'drbd-utils'})`}
    }
    return {node: node.name, check: 'drbd module', level: 'ok', message: `DRBD ${drbd.version} kernel module ${drbd.loaded ? 'loaded' : 'available'} (kernel ${drbd.kernel}${utils})`}
  }
  return {node: node.name, check: 'drbd module', level: 'fail', message: `no DRBD kernel module for kernel ${drbd.kernel || '?'}`, fix: drbdModuleFix(os.id, distro.ok ? distro.family : 'unknown', os.versionId)}
}

/** Where each distribution family gets the DRBD kernel module. */
export function drbdModuleFix(id: string, family: string, versionId: string): string {
  if (id === 'ubuntu') return 'install the extra modules of the running kernel: apt-get install linux-modules-extra-$(uname -r)'
  if (family === 'apt') {
    return "Debian's kernels ship the in-tree DRBD 8.4 module (drbd.ko): boot the distribution kernel (apt-get install linux-image-amd64, then reboot into it); custom or trimmed kernels may leave it out"
  }
  if (family === 'dnf' || family === 'yum') {
    return `RHEL-family kernels have no DRBD: enable ELRepo (${elrepo({versionId: versionId || '9'}, family).enable}) and ${family} install ${packageNames(['drbd'], family).join(' ')}`
  }
  return 'install a kernel with the DRBD module (drbd.ko), from the distribution or LINBIT'
}

function checkSelinux(config: ClusterConfig, node: NodeConfig, f: PreflightFacts): Finding {
  const {manager} = stackOf(config)
  const verdict = judgeSelinux(f.selinux, {
    nfsExports: Boolean(config.nfs),
    clusterDaemons: manager.selinux.clusterDaemons,
    keepalivedScriptDir: manager.selinux.keepalivedScripts ? HA_SCRIPT_DIR : null,
  })
  return {node: node.name, check: 'selinux', ...verdict}
}

/** Checks that compare the two nodes; skipped when either could not be read. */
function clusterChecks(config: ClusterConfig, factsByNode: Record<string, NodeFacts>): Finding[] {
  const [a, b] = config.nodes
  const fa = factsByNode[a.name]
  const fb = factsByNode[b.name]
  if (isUnreachable(fa) || isUnreachable(fb)) return []
  const out: Finding[] = []
  if (fa.os.family !== fb.os.family || fa.os.id !== fb.os.id) {
    out.push({node: 'cluster', check: 'distro', level: 'warn', message: `the nodes run different distributions (${a.name}: ${fa.os.prettyName}; ${b.name}: ${fb.os.prettyName}): package versions, DRBD and NFS may differ`, fix: 'use the same distribution and release on both nodes'})
  }
  const major = (v: string | null) => v?.split('.').slice(0, 2).join('.')
  if (stackOf(config).service.usesDrbd && fa.drbd.version && fb.drbd.version && major(fa.drbd.version) !== major(fb.drbd.version)) {
    out.push({node: 'cluster', check: 'drbd module', level: 'warn', message: `DRBD ${fa.drbd.version} on ${a.name} but ${fb.drbd.version} on ${b.name}`, fix: 'run the same DRBD version on both nodes (mixed versions are for rolling upgrades only)'})
  }
  if (fa.identity.epoch !== null && fb.identity.epoch !== null) {
    const skew = Math.abs(fa.identity.epoch - fb.identity.epoch)
    out.push(
      skew > MAX_CLOCK_SKEW_SECONDS
        ? {node: 'cluster', check: 'clock skew', level: 'warn', message: `the clocks differ by about ${skew} s`, fix: 'switch time sync on for both nodes against the same NTP servers'}
        : {node: 'cluster', check: 'clock skew', level: 'ok', message: `the clocks agree within ${MAX_CLOCK_SKEW_SECONDS} s`},
    )
  }
  return out
}
