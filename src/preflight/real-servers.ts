/**
 * Pure: preflight's findings for an LVS pool's real servers: reachable over SSH, a supported
 * distribution, and the service answering as the health check will ask it (hapair does not install
 * it). ARP and the VIP on lo are the steps' work: reported as what the run will do, not as failures.
 */
import type {ClusterConfig} from '../config/schema.js'
import {hostsOf} from '../config/hosts.js'
import {isUnread, type RealServerRead} from '../cluster-state/real-server.js'
import {judgeDistro, type PackageFamily} from '../distro/family.js'
import {arpDrift} from '../steps/lvs/arp.js'
import {probeProblem} from '../steps/lvs/backend.js'
import {holdsVipOnLo} from '../steps/lvs/loopback.js'
import type {Finding} from './finding.js'

export function evaluateRealServers(config: ClusterConfig, reads: Record<string, RealServerRead>, opts: {forceDistro?: PackageFamily} = {}): Finding[] {
  const findings: Finding[] = []
  const lvs = config.lvs
  for (const rs of hostsOf(config, 'realServers')) {
    const r = reads[rs.name]
    if (isUnread(r)) {
      findings.push({node: rs.name, check: 'ssh', level: 'fail', message: r?.error ?? 'no facts were read', fix: r?.hint ?? `check that ${rs.ssh.user}@${rs.address}:${rs.ssh.port} accepts SSH`})
      continue
    }
    findings.push({node: rs.name, check: 'ssh', level: 'ok', message: `connected as ${rs.ssh.user}`})
    // hapair installs nothing on a real server: an unsupported distribution is a warning; without systemd the VIP unit cannot run.
    const distro = judgeDistro(r.os, opts.forceDistro)
    const level = distro.ok ? 'ok' : r.os.init !== 'systemd' && r.os.init !== 'unknown' ? 'fail' : 'warn'
    findings.push({node: rs.name, check: 'distro', level, message: distro.message, ...(!distro.ok && {fix: distro.hint})})
    const service = probeProblem(config, '127.0.0.1', r.service)
    const what = lvs?.healthCheck.type === 'TCP_CHECK' ? `port ${lvs.port}` : `${lvs?.healthCheck.path} on port ${lvs?.port}`
    findings.push(
      service
        ? {node: rs.name, check: 'service', level: 'fail', message: service, fix: `start the web server there, listening on 0.0.0.0:${lvs?.port} (hapair does not install it)`}
        : {node: rs.name, check: 'service', level: 'ok', message: `answers ${what} as the health check asks`},
    )
    const drift = arpDrift(r.arp)
    const vip = holdsVipOnLo(r.lo, config.vip.address)
    findings.push({
      node: rs.name,
      check: 'lvs-dr',
      level: 'ok',
      message: drift.length === 0 && vip ? `ARP left to the director, ${config.vip.address}/32 on lo` : `the lvs.arp and lvs.loopback steps will ${drift.length ? 'set arp_ignore/arp_announce' : ''}${drift.length && !vip ? ' and ' : ''}${vip ? '' : `put ${config.vip.address}/32 on lo`}`,
    })
  }
  return findings
}
