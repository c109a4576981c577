/**
 * heartbeat.config: /etc/ha.d/ha.cf per node, haresources and authkeys identical on both nodes
 * (compared by hash: authkeys holds the key, 0600, read and diffed with the key replaced by a
 * marker). What the nodes say about themselves goes in: heartbeat names nodes by `uname -n`, sends
 * on the interface that reaches the peer, and finds ipfail where the distribution put it. A running
 * heartbeat re-reads its files with `heartbeat -r`, keeping its resources.
 */
import type {NodeConfig} from '../../config/schema.js'
import type {Change, Step, StepContext} from '../../engine/step.js'
import {RefusalError} from '../../errors.js'
import {factSet} from '../../facts/fact.js'
import {fileFact, type FileInfo} from '../../facts/file.js'
import {clStatusFact, heartbeatToolFact, peerRouteFact, type ClStatus, type PeerRoute} from '../../facts/heartbeat.js'
import {osFact, type OsInfo} from '../../facts/os.js'
import {hbTool} from '../../stacks/managers/heartbeat.js'
import {preferredNode} from '../../stacks/preferred-node.js'
import {
  AUTHKEYS_MODE,
  AUTHKEYS_PATH,
  AUTHKEYS_SECRET_KEYS,
  HA_CF_MODE,
  HA_CF_PATH,
  HARESOURCES_MODE,
  HARESOURCES_PATH,
  heartbeatAddress,
  renderAuthkeys,
  renderHaCf,
  renderHaresources,
} from '../../templates/heartbeat.js'
import {planFile} from '../common/plan-file.js'
import {heartbeatSection, heartbeatStack} from './sections.js'

export interface HeartbeatConfigFacts {
  os: OsInfo
  route: PeerRoute
  ipfail: {path: string | null}
  haCf: FileInfo
  haresources: FileInfo
  authkeys: FileInfo
  cl: ClStatus
}

/** Where Debian and Ubuntu put ipfail; assumed while heartbeat is not installed yet (a dry run on fresh nodes). */
export const IPFAIL_DEFAULT = '/usr/libexec/heartbeat/ipfail'

const peerOf = (ctx: StepContext, node: NodeConfig): NodeConfig => ctx.nodes.find((n) => n.name !== node.name)!

export const heartbeatConfigStep: Step<HeartbeatConfigFacts> = {
  id: 'heartbeat.config',
  title: 'heartbeat configuration (ha.cf, haresources, authkeys)',
  facts: (ctx, node) =>
    factSet({
      os: osFact,
      route: peerRouteFact(heartbeatAddress(peerOf(ctx, node))),
      ipfail: heartbeatToolFact('ipfail'),
      haCf: fileFact(HA_CF_PATH),
      haresources: fileFact(HARESOURCES_PATH),
      authkeys: fileFact(AUTHKEYS_PATH, {secretKeys: AUTHKEYS_SECRET_KEYS}),
      cl: clStatusFact,
    }),
  plan(ctx, facts) {
    const hb = heartbeatSection(ctx)
    const stack = heartbeatStack(ctx, 'heartbeat.config')
    const notes: string[] = []
    const problems: string[] = []
    const unames = ctx.nodes.map((n) => facts[n.name].os.hostname)
    for (const [i, node] of ctx.nodes.entries()) {
      const uname = unames[i]
      if (!uname) problems.push(`${node.name}: \`uname -n\` printed nothing`)
      else if (uname !== node.name) notes.push(`${node.name}: \`uname -n\` is ${uname}; heartbeat knows the node by that name (preflight --fix sets the hostname to the cluster file's)`)
      if (!hb.interface && !facts[node.name].route.dev) {
        problems.push(`${node.name}: cannot tell which interface reaches ${heartbeatAddress(peerOf(ctx, node))} (${facts[node.name].route.error}); set heartbeat.interface`)
      }
    }
    if (new Set(unames).size !== unames.length) problems.push(`both nodes answer \`uname -n\` with ${unames[0]}; heartbeat needs distinct node names`)
    if (problems.length) throw new RefusalError(`heartbeat.config changed nothing:\n  - ${problems.join('\n  - ')}`, 'fix the nodes (hapair preflight --fix), then run again')

    const preferred = preferredNode(ctx.config)
    const haresources = renderHaresources(ctx.config, facts[preferred.name].os.hostname, stack.heartbeat.resources(ctx.config))
    const authkeys = renderAuthkeys(ctx.config, ctx.secrets)
    const changes: Change[] = []
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      let ipfail = f.ipfail.path
      if (hb.ping && !ipfail) {
        ipfail = IPFAIL_DEFAULT
        notes.push(`${node.name}: ipfail not found (heartbeat not installed yet?); ha.cf names ${IPFAIL_DEFAULT}`)
      }
      const haCf = renderHaCf(ctx.config, hb, node, {unames, iface: hb.interface ?? f.route.dev!, ipfail})
      const files = [
        planFile(node.name, f.haCf, {path: HA_CF_PATH, content: haCf, mode: HA_CF_MODE}),
        planFile(node.name, f.haresources, {path: HARESOURCES_PATH, content: haresources, mode: HARESOURCES_MODE}),
        planFile(node.name, f.authkeys, {path: AUTHKEYS_PATH, content: authkeys, mode: AUTHKEYS_MODE, secretKeys: AUTHKEYS_SECRET_KEYS}),
      ].filter((c) => c !== undefined)
      changes.push(...files)
      if (files.length && f.cl.running) {
        // `heartbeat -r` signals the running daemon to re-read its files; it keeps its resources.
        changes.push({kind: 'command', node: node.name, title: 'heartbeat re-reads its configuration (keeps its resources)', script: hbTool('heartbeat', '-r'), timeoutMs: 60_000})
      }
      if (!files.length) notes.push(`${node.name}: ha.cf, haresources and authkeys up to date (${hb.media}, auto_failback ${hb.autoFailback ? 'on' : 'off'})`)
    }
    return {changes, notes}
  },
}
