/**
 * The health gate: a drill starts only from a cluster that could survive it, and heal ends only
 * when the cluster is back there. Pure: node states in, problems (each with its fix) out. What
 * "serving" means comes from the stack's ServingShape (its HA unit, VIP, service).
 */
import type {ClusterConfig, NodeConfig} from '../config/schema.js'
import {shq} from '../facts/fact.js'
import {describeDrbd, isHealthyPair, isResyncing} from './drbd.js'
import {isPrimary, type NodeState, type ServingShape} from './node-state.js'

export interface HealthProblem {
  node?: string
  problem: string
  fix: string
}

export interface Health {
  ok: boolean
  problems: HealthProblem[]
  /** The node holding the service (VIP, Primary, mounted, service running); set when exactly one does. */
  active?: NodeConfig
}

/** `state` undefined: the node did not answer. */
export function checkHealth(config: ClusterConfig, states: Record<string, NodeState | undefined>, shape: ServingShape): Health {
  const {haUnit} = shape
  const problems: HealthProblem[] = []
  const res = config.drbd.resource
  const mp = config.filesystem?.mountPoint ?? '(no filesystem.mountPoint)'
  for (const node of config.nodes) {
    const s = states[node.name]
    if (!s) {
      problems.push({node: node.name, problem: 'does not answer over SSH', fix: `power it on or fix its network, then check \`ssh ${node.ssh.user}@${node.address}\``})
      continue
    }
    if (!isHealthyPair(s.drbd)) {
      problems.push({
        node: node.name,
        problem: `DRBD ${res} is not Connected UpToDate/UpToDate (${describeDrbd(s.drbd)})`,
        fix: drbdFix(res, s),
      })
    }
    if (s.haActive !== true) problems.push({node: node.name, problem: `${haUnit} is not running`, fix: `systemctl start ${haUnit} on ${node.name}`})
  }

  const answering = config.nodes.filter((n) => states[n.name])
  const primaries = answering.filter((n) => isPrimary(states[n.name]))
  // Without a VIP, the Primary is where the service is.
  const holders = shape.vip ? answering.filter((n) => states[n.name]!.vipHeld) : primaries
  if (shape.vip && holders.length === 0) {
    problems.push({problem: `no node holds the VIP ${config.vip.address}`, fix: `check the HA stack's logs (journalctl -u ${haUnit}) on both nodes`})
  } else if (shape.vip && holders.length > 1) {
    const stale = holders.find((n) => !isPrimary(states[n.name]))
    problems.push({
      problem: `both nodes hold the VIP ${config.vip.address}`,
      fix: stale
        ? `remove the stale copy on ${stale.name}: ip addr del ${config.vip.address}/${config.vip.prefix} dev ${shq(config.vip.interface)}`
        : `stop ${haUnit} on one node, check that VRRP/heartbeat traffic passes between the nodes, start it again`,
    })
  } else if (!shape.vip && holders.length === 0) {
    problems.push({problem: `no node is DRBD Primary for ${res}`, fix: `check the HA stack's logs (journalctl -u ${haUnit}) on both nodes`})
  }
  if (primaries.length > 1) {
    problems.push({problem: `both nodes are DRBD Primary for ${res}`, fix: 'two primaries mean a split brain: run `hapair split-brain recover`'})
  }

  let active: NodeConfig | undefined
  if (holders.length === 1) {
    const holder = holders[0]
    const s = states[holder.name]!
    if (!isPrimary(s)) {
      problems.push({node: holder.name, problem: `holds the VIP but is not DRBD Primary (${describeDrbd(s.drbd)})`, fix: `check the HA stack's notify/resource logs on ${holder.name}`})
    } else if (!s.mounted) {
      problems.push({node: holder.name, problem: `${shape.vip ? 'holds the VIP and ' : ''}is Primary but ${mp} is not mounted`, fix: `mount ${config.drbd.device} ${mp} on ${holder.name} (or let the HA stack restart its resources)`})
    } else if (shape.service === 'nfs' && !s.nfsdThreads) {
      problems.push({node: holder.name, problem: 'holds the service but nfsd is not running', fix: `systemctl start nfs-server on ${holder.name}`})
    } else {
      active = holder
    }
  }
  return {ok: problems.length === 0, problems, active: problems.length === 0 ? active : undefined}
}

function drbdFix(res: string, s: NodeState): string {
  const d = s.drbd
  if (!d || d.connection === 'Unconfigured') return `drbdadm up ${res} (or \`drbdadm adjust ${res}\`)`
  if (d.connection === 'StandAlone') return s.splitBrainLog.length > 0 ? 'split brain: run `hapair split-brain recover`' : `drbdadm connect ${res}`
  if (d.connecting) return `the peer is not connected: check the peer's DRBD and the replication link (port), then \`drbdadm adjust ${res}\` there`
  if (isResyncing(d)) return 'a resync is running: wait for it to finish (`hapair status` shows its progress)'
  return `drbdadm adjust ${res}`
}

export function formatProblems(problems: HealthProblem[]): string {
  return problems.map((p) => `  ${p.node ? `${p.node}: ` : ''}${p.problem}\n    fix: ${p.fix}`).join('\n')
}

/** Both nodes hold the VIP and exactly one of them serves (Primary, mounted): the other copy is stale. */
export function staleVipHolder(nodes: string[], states: Record<string, NodeState | undefined>): string | undefined {
  const holders = nodes.filter((n) => states[n]?.vipHeld)
  if (holders.length !== 2) return undefined
  const serving = holders.filter((n) => isPrimary(states[n]) && states[n]!.mounted)
  return serving.length === 1 ? holders.find((n) => n !== serving[0]) : undefined
}
