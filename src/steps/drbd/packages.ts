/**
 * drbd.packages: DRBD userland (plus the kernel module package where the distribution ships it
 * separately, and xfsprogs when the filesystem is xfs), then the module loaded, so that the later
 * steps can read which DRBD major version the kernel runs (8.4 and 9 need different handling).
 */
import type {Change, Step, StepContext} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {drbdKernelFact} from '../../facts/drbd.js'
import type {LogicalPackage} from '../../distro/packages.js'
import {packageFacts, planPackages} from '../common/packages.js'

const wanted = (ctx: StepContext): LogicalPackage[] => (ctx.config.filesystem?.type === 'xfs' ? ['drbd', 'xfs'] : ['drbd'])

/** Loads the module now; says what to install when the kernel has none. */
export const MODPROBE_SCRIPT = `if ! modprobe drbd; then
  echo "no drbd kernel module for kernel $(uname -r): Debian/Ubuntu ship it with the kernel (or drbd-dkms); EL needs kmod-drbd9x from ELRepo" >&2
  exit 1
fi
test -e /proc/drbd
`

export const drbdPackages: Step = {
  id: 'drbd.packages',
  title: 'DRBD packages and kernel module',
  facts: (ctx) => factSet({...packageFacts(wanted(ctx)), kernel: drbdKernelFact}),
  plan(ctx, facts) {
    const {changes, notes} = planPackages(ctx, facts, wanted(ctx))
    const out: Change[] = [...changes]
    for (const node of ctx.nodes) {
      const {kernel} = facts[node.name]
      if (kernel.loaded) {
        notes.push(`${node.name}: drbd module ${kernel.loaded} loaded (DRBD ${kernel.major === 9 ? '9' : '8.4'} syntax)`)
        continue
      }
      // Planned after the install on the same node, so a module that comes with the packages loads too.
      out.push({kind: 'command', node: node.name, title: 'load the drbd kernel module', script: MODPROBE_SCRIPT})
    }
    return {changes: out, notes}
  },
}
