/**
 * keepalived.service: keepalived enabled and running on both nodes, the preferred node first,
 * and then checked from the outside: exactly one node holds the VIP, and that node serves NFS
 * from the DRBD filesystem while the other does not.
 */
import type {NodeConfig} from '../../config/schema.js'
import type {Change, Step, StepContext} from '../../engine/step.js'
import {factSet, shq} from '../../facts/fact.js'
import {vipFact, type VipInfo} from '../../facts/ip.js'
import {NFS_LIB, nfsStateFact, type NfsStateInfo} from '../../facts/nfs.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {isActive, servicesFact, startsAtBoot, type ServiceStates} from '../../facts/services.js'
import {preferredNode} from '../../templates/keepalived.js'
import {HA_LOG_PATH} from '../../templates/scripts/paths.js'
import {allFamilyUnits, serviceUnit} from '../../distro/services.js'
import {familyOf} from '../../distro/family.js'
import {requireNfs} from '../nfs/sections.js'
import {requireKeepalived} from './sections.js'

export interface KeepalivedServiceFacts {
  os: OsInfo
  services: ServiceStates
  vip: VipInfo
  state: NfsStateInfo
}

const UNIT = 'keepalived'
/** Longest the first node's start waits to hold the VIP with NFS up: election (3 adverts) plus the notify script's takeover. */
export const TAKEOVER_WAIT_S = 90

/** The preferred node first, so it is MASTER before its peer starts (deterministic also under nopreempt). */
function orderedNodes(ctx: StepContext): NodeConfig[] {
  const first = preferredNode(ctx.config)
  return [first, ...ctx.nodes.filter((n) => n.name !== first.name)]
}

/**
 * Starts keepalived on a node whose peer already runs it, then waits until this node has settled:
 * the election is over (3 adverts and a margin) and it either serves (VIP and NFS) or does not
 * (neither). A preferring node takes the service back on start (preempt), which takes seconds.
 */
export function startAndSettleScript(ctx: StepContext, nfsUnit: string): string {
  const {vip} = ctx.config
  const election = 3 * (ctx.config.keepalived?.advertInt ?? 1) + 2
  return `systemctl start ${UNIT}
sleep ${election}
for i in $(seq 1 ${TAKEOVER_WAIT_S}); do
  vip=no; ip -4 -o addr show dev ${shq(vip.interface)} | grep -F ${shq(` inet ${vip.address}/`)} >/dev/null && vip=yes
  nfs=no; systemctl is-active --quiet ${shq(nfsUnit)} && nfs=yes
  if [ "$vip" = "$nfs" ]; then echo "settled after $((i + ${election})) s: serving=$vip"; exit 0; fi
  sleep 1
done
echo "keepalived started but this node did not settle within ${TAKEOVER_WAIT_S} s (VIP $vip, NFS $nfs); last HA log lines:" >&2
tail -n 25 ${HA_LOG_PATH} >&2 2>/dev/null
exit 1`
}

/**
 * Starts keepalived and waits until this node holds the VIP and its NFS server runs with the
 * replicated NFS state bound in, i.e. the notify script's takeover has finished; prints the HA
 * log on timeout. The bound state matters: check-nfs may restart a stopped NFS server on the new
 * VIP holder before the master call gets the lock (seen in the lab), and that call then stops it
 * again to bind the state, so "VIP and NFS running" alone can be a moment, not the end.
 */
export function startAndTakeOverScript(ctx: StepContext, nfsUnit: string): string {
  const {vip} = ctx.config
  return `systemctl start ${UNIT}
for i in $(seq 1 ${TAKEOVER_WAIT_S}); do
  if ip -4 -o addr show dev ${shq(vip.interface)} | grep -F ${shq(` inet ${vip.address}/`)} >/dev/null && systemctl is-active --quiet ${shq(nfsUnit)} && mountpoint -q ${NFS_LIB}; then
    echo "holds ${vip.address} and serves NFS after $i s"; exit 0
  fi
  sleep 1
done
echo "did not take over ${vip.address} with NFS running within ${TAKEOVER_WAIT_S} s; last HA log lines:" >&2
tail -n 25 ${HA_LOG_PATH} >&2 2>/dev/null
exit 1`
}

export const keepalivedServiceStep: Step<KeepalivedServiceFacts> = {
  id: 'keepalived.service',
  title: 'keepalived running on both nodes; VIP and NFS on one',
  nodes: orderedNodes,
  sequential: true,
  facts: (ctx) =>
    factSet({
      os: osFact,
      services: servicesFact([UNIT, ...allFamilyUnits(['nfs-server'])]),
      vip: vipFact(ctx.config.vip.interface, ctx.config.vip.address),
      state: nfsStateFact(requireNfs(ctx).filesystem.mountPoint),
    }),
  plan(ctx, facts) {
    requireKeepalived(ctx)
    const changes: Change[] = []
    const notes: string[] = []
    const nodes = orderedNodes(ctx)
    const preferred = nodes[0]
    const anyRunning = nodes.some((n) => isActive(facts[n.name].services[UNIT]))
    for (const node of nodes) {
      const s = facts[node.name].services[UNIT]
      if (!startsAtBoot(s)) changes.push({kind: 'command', node: node.name, title: `enable ${UNIT} at boot`, script: `systemctl enable ${UNIT}`})
      if (!isActive(s)) {
        // First start of the cluster: the preferred node takes the service before its peer starts.
        const takeOver = node.name === preferred.name && !anyRunning
        changes.push({
          kind: 'command',
          node: node.name,
          title: takeOver ? `start ${UNIT} and take over ${ctx.config.vip.address} + NFS` : `start ${UNIT}`,
          script: (takeOver ? startAndTakeOverScript : startAndSettleScript)(ctx, serviceUnit('nfs-server', familyOf(node, facts[node.name].os, ctx.options.forceDistro))),
          timeoutMs: (TAKEOVER_WAIT_S + 30) * 1000,
        })
      }
      if (!changes.some((c) => c.node === node.name)) notes.push(`${node.name}: ${UNIT} enabled and running`)
    }
    return {changes, notes}
  },
  verify(ctx, facts) {
    const problems: string[] = []
    const device = ctx.config.drbd.device
    const holders = ctx.nodes.filter((n) => facts[n.name].vip.holdsVip)
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      if (!isActive(f.services[UNIT])) problems.push(`${node.name}: ${UNIT} is ${f.services[UNIT]?.active ?? 'unknown'}`)
      if (!f.vip.exists) problems.push(`${node.name}: interface ${ctx.config.vip.interface} does not exist`)
    }
    if (holders.length === 0) problems.push(`no node holds the VIP ${ctx.config.vip.address} (see ${HA_LOG_PATH} and journalctl -u ${UNIT})`)
    if (holders.length > 1) {
      problems.push(`both nodes hold the VIP ${ctx.config.vip.address}: VRRP adverts are not getting through (firewall dropping IP protocol 112? multicast blocked: try keepalived.unicast: true)`)
    }
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const nfsUp = isActive(f.services[serviceUnit('nfs-server', familyOf(node, f.os, ctx.options.forceDistro))])
      if (f.vip.holdsVip && holders.length === 1) {
        if (f.state.mountedSource !== device) problems.push(`${node.name} holds the VIP but ${device} is not mounted on ${requireNfs(ctx).filesystem.mountPoint}`)
        if (!f.state.stateBound) problems.push(`${node.name} holds the VIP but /var/lib/nfs is not the copy on the DRBD filesystem`)
        if (!nfsUp) problems.push(`${node.name} holds the VIP but the NFS server is not running`)
      }
      if (!f.vip.holdsVip && nfsUp) problems.push(`${node.name} does not hold the VIP but runs the NFS server`)
    }
    return problems
  },
}
