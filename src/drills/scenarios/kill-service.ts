/**
 * Kill the served service on the active node the way heartbeat's `killnfsd` does (SIGKILL to the
 * nfsd threads). systemd still reports nfs-server active afterwards, so only a stack that checks
 * the service itself (seed 000's chk_nfs, seed 004's monitor loop) notices.
 */
import {shq} from '../../facts/fact.js'
import {NFS_UNIT} from '../../stacks/services/nfs.js'
import type {Scenario} from '../types.js'
import {expectation, onNode} from './common.js'

export const killService: Scenario = {
  id: 'kill-service',
  summary: 'kill nfsd on the active node',
  // The stack must notice the dead service first (counted as the detection bound), then the node releases and its peer acquires.
  floorRule: {detection: 'bound', commands: 'handover'},
  appliesTo: (stack) => stack.service.servesNfs,
  async inject(ctx) {
    await onNode(ctx, ctx.active.name, 'pkill -KILL -x nfsd', 'kill -9 nfsd')
  },
  async heal(ctx) {
    // Restart nfsd only where the filesystem is still mounted: if the peer took over, this node must stay stopped.
    const mp = shq(ctx.config.filesystem?.mountPoint ?? '/nonexistent')
    const out = await onNode(
      ctx,
      ctx.active.name,
      `if [ "$(cat /proc/fs/nfsd/threads 2>/dev/null || echo 0)" = 0 ] && awk -v mp=${mp} '$2 == mp {f=1} END {exit !f}' /proc/mounts; then systemctl restart ${NFS_UNIT}; echo restarted; fi`,
      'restart nfsd if still serving',
    )
    return out.includes('restarted') ? [`restarted ${NFS_UNIT} on ${ctx.active.name} (the stack had not)`] : []
  },
  expectation: (config, stack) => expectation(config, stack, 'either'),
}
