/**
 * lvs.backend: the service answers on each real server itself, as keepalived's check will ask it
 * (HTTP_GET: the health path with the expected status; TCP_CHECK: a connection), on 127.0.0.1
 * and, once the VIP is on lo, on the VIP too: DR delivers clients' packets addressed to the VIP,
 * so a server bound to the host's own address alone would never see them. hapair does not
 * install or configure the web server: this step changes nothing and refuses, naming each real
 * server that does not answer, before the directors start sending clients to it.
 */
import type {ClusterConfig} from '../../config/schema.js'
import type {Step, StepContext} from '../../engine/step.js'
import {factSet, shq, type Fact} from '../../facts/fact.js'
import {parseProbe, probeFact, type ProbeResult, type ProbeTarget} from '../../facts/probe.js'
import {hostsOf} from '../../config/hosts.js'
import {RefusalError} from '../../errors.js'
import {lvsSection} from '../../templates/keepalived-lvs.js'

export interface LvsBackendFacts {
  local: ProbeResult
  /** null: the VIP is not on lo yet (nothing to ask: the request would leave the host). */
  vip: ProbeResult | null
}

const NOT_ON_LO = 'vip: not on lo'

function target(ctx: StepContext, address: string): ProbeTarget {
  const lvs = lvsSection(ctx.config)
  const h = lvs.healthCheck
  return {address, port: lvs.port, ...(h.type === 'HTTP_GET' && {path: h.path}), timeoutS: h.connectTimeout}
}

/** The probe of the VIP, asked only when lo carries it. */
function vipProbeFact(ctx: StepContext): Fact<ProbeResult | null> {
  const vip = ctx.config.vip.address
  const inner = probeFact(target(ctx, vip))
  return {
    command: `ip -4 -o addr show dev lo | grep -qF ${shq(` inet ${vip}/32 `)} || { echo '${NOT_ON_LO}'; exit 0; }\n${inner.command}`,
    parse: (stdout) => (stdout.trim() === NOT_ON_LO ? null : parseProbe(stdout)),
  }
}

/** What is wrong with one probe's answer, or nothing. */
export function probeProblem(config: ClusterConfig, where: string, r: ProbeResult): string | undefined {
  const lvs = lvsSection(config)
  const url = lvs.healthCheck.type === 'HTTP_GET' ? `http://${where}:${lvs.port}${lvs.healthCheck.path}` : `${where}:${lvs.port}`
  if (!r.answered) return `${url} does not answer (${r.why})`
  if (lvs.healthCheck.type === 'HTTP_GET' && r.status !== lvs.healthCheck.statusCode) return `${url} answers ${r.status ?? 'without a status line'}, not ${lvs.healthCheck.statusCode}`
  return undefined
}

export const lvsBackendStep: Step<LvsBackendFacts> = {
  id: 'lvs.backend',
  title: 'the service answers on each real server (as the health check asks it)',
  role: 'realServers',
  facts: (ctx) => factSet({local: probeFact(target(ctx, '127.0.0.1')), vip: vipProbeFact(ctx)}),
  plan(ctx, facts) {
    const lvs = lvsSection(ctx.config)
    const refusals: string[] = []
    const notes: string[] = []
    for (const rs of hostsOf(ctx.config, 'realServers')) {
      const f = facts[rs.name]
      const problems = [probeProblem(ctx.config, '127.0.0.1', f.local), f.vip && probeProblem(ctx.config, ctx.config.vip.address, f.vip)].filter((p): p is string => Boolean(p))
      if (problems.length) refusals.push(`${rs.name}: ${problems.join('; ')}`)
      else notes.push(`${rs.name}: answers${lvs.healthCheck.type === 'HTTP_GET' ? ` ${lvs.healthCheck.statusCode} on ${lvs.healthCheck.path}` : ''}${f.vip ? ' on 127.0.0.1 and the VIP' : ' on 127.0.0.1'}`)
    }
    if (refusals.length) {
      throw new RefusalError(
        `the service does not answer as the health check expects:\n${refusals.join('\n')}`,
        `start the web server on each real server (e.g. \`systemctl enable --now nginx\`), listening on all addresses (0.0.0.0:${lvs.port}, not the host's own address only)${lvs.healthCheck.type === 'HTTP_GET' ? `, with ${lvs.healthCheck.path} answering ${lvs.healthCheck.statusCode}` : ''}`,
      )
    }
    return {changes: [], notes}
  },
}
