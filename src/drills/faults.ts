/**
 * The faults that differ between the built-in lab and real hosts: losing power and cutting the
 * peer-to-peer link. Everything else a drill does (stop a daemon, kill a process, ask for a
 * switchover) is an ordinary command on a node and lives in the per-stack table (stacks.ts).
 */
import {nodeIp} from '../config/address.js'
import type {ClusterConfig, NodeConfig} from '../config/schema.js'
import {UsageError} from '../errors.js'
import {DRILL_IPT_CHAIN, DRILL_NFT_TABLE} from '../facts/drill-firewall.js'
import type {Host} from '../transport/host.js'
import {mustRun} from '../transport/must-run.js'
import {portText} from '../stacks/channels.js'
import type {PeerChannel} from '../stacks/types.js'

export interface Faults {
  readonly kind: 'lab' | 'hosts'
  /** Why `crash` is refused here; undefined when it is allowed. */
  readonly crashRefusal?: string
  /** The node loses power at once (no clean shutdown, no notify scripts). */
  crash(node: NodeConfig): Promise<void>
  /** Brings a crashed node back as far as this environment can; `todo` says what a person must still do. */
  powerOn(node: NodeConfig): Promise<{todo?: string}>
  /** Drops DRBD and heartbeat traffic between the two nodes only (clients still reach both). */
  cutPeerLink(): Promise<void>
  /** Removes exactly what cutPeerLink added. */
  healPeerLink(): Promise<void>
}

/** The lab's own fault hooks (src/lab/faults.ts), reduced to what drills use. */
export interface LabFaultHooks {
  powerOff(node: string): Promise<void>
  powerOn(node: string): Promise<void>
  /** Cut / restore node-to-node traffic only (the lab's "split"); without them the firewall rules are used. */
  cutPeerLink?(): Promise<void>
  healPeerLink?(): Promise<void>
}

export interface FaultEnv {
  config: ClusterConfig
  /** The current connection to a node (a crash replaces it). */
  host(node: string): Host
  channels: PeerChannel[]
  allowCrash: boolean
}

/** Real hosts: sysrq crash only with --allow-crash; isolation by a drill-owned nft table or iptables chain. */
export function hostFaults(env: FaultEnv): Faults {
  const crashRefusal = env.allowCrash ? undefined : 'crashing a real host (sysrq) needs --allow-crash'
  return {
    kind: 'hosts',
    crashRefusal,
    async crash(node) {
      if (crashRefusal) throw new UsageError(crashRefusal)
      // The kernel dies mid-command: the channel never answers, so do not wait for it.
      await env
        .host(node.name)
        .run('echo 1 > /proc/sys/kernel/sysrq\nsync\necho c > /proc/sysrq-trigger', {label: 'sysrq crash', timeoutMs: 3000})
        .catch(() => undefined)
    },
    async powerOn(node) {
      return {todo: `power on ${node.name} (crashed through sysrq); if kernel.panic is set it reboots by itself`}
    },
    cutPeerLink: () => forBothNodes(env, (node, peer) => isolateScript(peerAddresses(peer), env.channels), 'cut peer link'),
    healPeerLink: () => forBothNodes(env, () => rejoinScript(), 'heal peer link'),
  }
}

/** The lab: power and isolation through the lab's hooks (isolation falls back to the firewall rules real hosts get). */
export function labFaults(env: FaultEnv, hooks: LabFaultHooks): Faults {
  const hosts = hostFaults({...env, allowCrash: true})
  return {
    ...hosts,
    kind: 'lab',
    crashRefusal: undefined,
    crash: (node) => hooks.powerOff(node.name),
    async powerOn(node) {
      await hooks.powerOn(node.name)
      return {}
    },
    cutPeerLink: hooks.cutPeerLink ? () => hooks.cutPeerLink!() : hosts.cutPeerLink,
    healPeerLink: hooks.healPeerLink ? () => hooks.healPeerLink!() : hosts.healPeerLink,
  }
}

/** The lab's faults when an environment registered hooks for this cluster, else the real-host ones. */
export function faultsFor(env: FaultEnv, hooks: LabFaultHooks | undefined): Faults {
  return hooks ? labFaults(env, hooks) : hostFaults(env)
}

async function forBothNodes(env: FaultEnv, script: (node: NodeConfig, peer: NodeConfig) => string, label: string): Promise<void> {
  const [a, b] = env.config.nodes
  await Promise.all([mustRun(env.host(a.name), script(a, b), {label, timeoutMs: 20_000}), mustRun(env.host(b.name), script(b, a), {label, timeoutMs: 20_000})])
}

export function peerAddresses(peer: NodeConfig): string[] {
  return [...new Set([nodeIp(peer), peer.replicationAddress].filter((a): a is string => Boolean(a)))]
}

/**
 * Drops traffic to and from the peer's addresses on the replication and heartbeat channels only,
 * in a table/chain the drill owns (nft preferred, iptables when nft is missing).
 */
export function isolateScript(peers: string[], channels: PeerChannel[]): string {
  const set = `{ ${peers.join(', ')} }`
  const cut = channels.filter((c) => c.proto === 'vrrp' || !c.keepOnIsolate)
  const nftMatches = cut.flatMap((c) =>
    c.proto === 'vrrp' ? ['ip protocol 112'] : [`${c.proto} dport ${portText(c.port, '-')}`, `${c.proto} sport ${portText(c.port, '-')}`],
  )
  const nft = [
    `nft add table inet ${DRILL_NFT_TABLE}`,
    `nft 'add chain inet ${DRILL_NFT_TABLE} input { type filter hook input priority -10 ; }'`,
    `nft 'add chain inet ${DRILL_NFT_TABLE} output { type filter hook output priority -10 ; }'`,
    ...nftMatches.flatMap((m) => [
      `nft 'add rule inet ${DRILL_NFT_TABLE} input ip saddr ${set} ${m} drop'`,
      `nft 'add rule inet ${DRILL_NFT_TABLE} output ip daddr ${set} ${m} drop'`,
    ]),
  ]
  const iptMatches = cut.flatMap((c) => (c.proto === 'vrrp' ? ['-p 112'] : [`-p ${c.proto} --dport ${portText(c.port, ':')}`, `-p ${c.proto} --sport ${portText(c.port, ':')}`]))
  const ipt = [
    `iptables -N ${DRILL_IPT_CHAIN}`,
    ...peers.flatMap((p) => iptMatches.flatMap((m) => [`iptables -A ${DRILL_IPT_CHAIN} -s ${p} ${m} -j DROP`, `iptables -A ${DRILL_IPT_CHAIN} -d ${p} ${m} -j DROP`])),
    `iptables -I INPUT 1 -j ${DRILL_IPT_CHAIN}`,
    `iptables -I OUTPUT 1 -j ${DRILL_IPT_CHAIN}`,
  ]
  return [
    rejoinScript(), // a rule set left by an interrupted drill would otherwise double up
    'if command -v nft >/dev/null; then',
    ...nft.map((l) => `  ${l}`),
    'elif command -v iptables >/dev/null; then',
    ...ipt.map((l) => `  ${l}`),
    'else',
    "  echo 'neither nft nor iptables is installed: cannot isolate the peer link' >&2; exit 3",
    'fi',
  ].join('\n')
}

/** Removes the drill's table/chain and nothing else; succeeds when there is nothing to remove. */
export function rejoinScript(): string {
  return [
    `if command -v nft >/dev/null && nft list table inet ${DRILL_NFT_TABLE} >/dev/null 2>&1; then nft delete table inet ${DRILL_NFT_TABLE}; fi`,
    `if command -v iptables >/dev/null && iptables -n -L ${DRILL_IPT_CHAIN} >/dev/null 2>&1; then`,
    `  while iptables -D INPUT -j ${DRILL_IPT_CHAIN} 2>/dev/null; do :; done`,
    `  while iptables -D OUTPUT -j ${DRILL_IPT_CHAIN} 2>/dev/null; do :; done`,
    `  iptables -F ${DRILL_IPT_CHAIN}; iptables -X ${DRILL_IPT_CHAIN}`,
    'fi',
  ].join('\n')
}
