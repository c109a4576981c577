/**
 * drbd.connect: waits until the two nodes' DRBD resources talk to each other. When they do not
 * within the timeout (`with: {timeoutSeconds}`, default 120), it stops and says what to check, with
 * what it could test from the waiting node: is DRBD listening, is the peer's port reachable, does
 * the node own its address, what the kernel logged. StandAlone (DRBD gave up: wrong secret, split
 * brain, incompatible settings) is reported at once: waiting would not help.
 */
import {replicationIp} from '../../config/address.js'
import type {Change, Step, StepContext} from '../../engine/step.js'
import {preferredNode} from '../../stacks/preferred-node.js'
import {ExitCode, HapairError, InterruptedError} from '../../errors.js'
import {factSet, shq} from '../../facts/fact.js'
import {drbdStateFact} from '../../facts/drbd.js'
import {keyValues} from '../../facts/os.js'
import type {Host} from '../../transport/host.js'
import {systemClock} from '../../engine/clock.js'
import {formatDuration, requireResourceUp, stateLine} from './common.js'
import {readState, type DrbdState} from './poll.js'

type Facts = {drbd: DrbdState}


function standAloneMessage(ctx: StepContext, node: string): string {
  const res = ctx.config.drbd.resource
  return (
    `${node}: ${res} is StandAlone: DRBD stopped trying to connect. Usual causes: the peers' shared-secret or ` +
    `settings differ, or their data diverged (split brain). \`dmesg | grep drbd\` on ${node} says which; ` +
    `after fixing, \`drbdadm connect ${res}\` on both nodes (or \`hapair split-brain\`) and re-run.`
  )
}

type Endpoint = {address: string; ip?: string; replicationAddress?: string}

export function diagnosticsScript(ctx: StepContext, self: Endpoint, peer: Endpoint): string {
  const port = ctx.config.drbd.port
  return `port=${port}; peer=${shq(replicationIp(peer))}; me=${shq(replicationIp(self))}
echo "hostname=$(uname -n)"
if ss -ltn 2>/dev/null | awk '{print $4}' | grep -q ":$port\\$"; then echo listening=yes; else echo listening=no; fi
if timeout 3 bash -c "</dev/tcp/$peer/$port" 2>/dev/null; then echo peer=open; else echo peer=closed; fi
if ip -o addr show 2>/dev/null | grep -q " $me/"; then echo own-address=yes; else echo own-address=no; fi
dmesg 2>/dev/null | grep -i drbd | tail -n 5 | sed 's/^/kernel=/'
true
`
}

export function timeoutMessage(ctx: StepContext, node: string, peer: string, seconds: number, last: DrbdState | null, diag: string): string {
  const d = keyValues(diag)
  const port = ctx.config.drbd.port
  const self = ctx.nodes.find((n) => n.name === node)!
  const other = ctx.nodes.find((n) => n.name === peer)!
  const kernel = diag.split('\n').filter((l) => l.startsWith('kernel=')).map((l) => `      ${l.slice(7)}`)
  const lines = [
    `${ctx.config.drbd.resource} did not connect within ${seconds} s (${last?.state ? stateLine(node, last.state, ctx.config.drbd.resource) : `${node}: state unknown`}). Check:`,
    `  - is ${peer} up? drbd.up must have run there too (\`drbdadm status\` or \`cat /proc/drbd\` on ${peer})`,
    `  - firewall: TCP ${port} must be open both ways between ${replicationIp(self)} and ${replicationIp(other)}` +
      (d.peer ? ` (from ${node}, ${replicationIp(other)}:${port} is ${d.peer === 'open' ? 'reachable' : 'NOT reachable'})` : ''),
    `  - addresses: each node must own its address in the resource file` + (d['own-address'] ? ` (${node} ${d['own-address'] === 'yes' ? 'has' : 'does NOT have'} ${replicationIp(self)})` : ''),
    `  - host names: \`uname -n\` must equal the \`on\` names ${ctx.nodes.map((n) => `"${n.name}"`).join(' and ')}` + (d.hostname ? ` (${node} says "${d.hostname}")` : ''),
  ]
  if (d.listening === 'no') lines.push(`  - DRBD is not listening on port ${port} on ${node}`)
  if (kernel.length) lines.push(`  last kernel messages on ${node}:`, ...kernel)
  return lines.join('\n')
}

export const drbdConnect: Step<Facts> = {
  id: 'drbd.connect',
  title: 'Wait for the DRBD peers to connect',
  facts: (ctx) => factSet({drbd: drbdStateFact(ctx.config.drbd.resource, ctx.config.drbd.device)}),
  plan(ctx, facts) {
    const res = ctx.config.drbd.resource
    const lines = requireResourceUp('drbd.connect', ctx, facts, (node, state) => (state?.connection === 'StandAlone' ? standAloneMessage(ctx, node) : undefined))
    if (ctx.nodes.every((n) => facts[n.name].drbd.state?.connected)) return {changes: [], notes: [`connected: ${lines}`]}
    const node = preferredNode(ctx.config)
    const peer = ctx.nodes.find((n) => n.name !== node.name)!
    const timeoutSeconds = Number(ctx.params.timeoutSeconds ?? 120)
    const pollMs = Number(ctx.params.pollMs ?? 1000)
    const wait: Change = {
      kind: 'wait',
      node: node.name,
      title: `wait up to ${timeoutSeconds} s for ${res} to connect`,
      async run(host: Host, progress, signal) {
        const clock = ctx.clock ?? systemClock
        const started = clock.now()
        let last: DrbdState | null = null
        while (clock.now() - started < timeoutSeconds * 1000) {
          if (signal.aborted) throw new InterruptedError()
          last = await readState(host, ctx)
          if (last.state?.connected) return
          if (last.state?.connection === 'StandAlone') throw new HapairError(standAloneMessage(ctx, node.name), ExitCode.stepFailed)
          progress(`${last.state?.connection ?? 'down'} for ${formatDuration((clock.now() - started) / 1000)}, waiting for ${peer.name}`)
          await clock.sleep(pollMs, signal).catch(() => {
            throw new InterruptedError()
          })
        }
        const diag = await host.run(diagnosticsScript(ctx, node, peer), {label: 'connection diagnostics', timeoutMs: 20_000})
        throw new HapairError(timeoutMessage(ctx, node.name, peer.name, timeoutSeconds, last, diag.stdout), ExitCode.stepFailed)
      },
    }
    return {changes: [wait], notes: [`not connected yet: ${lines}`]}
  },
}
