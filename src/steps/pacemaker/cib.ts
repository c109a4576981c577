/**
 * pacemaker.cib: hapair's resources, constraints and cluster options, pushed as a difference.
 *
 * The facts build the wanted configuration offline into a copy of the live CIB (cibBuildFact:
 * CIB_file, crm_verify, crm_diff), so the plan knows the exact patch before anything changes and
 * --dry-run shows it. Applying builds it again against the CIB of that moment, refuses unless
 * crm_verify accepts it, and pushes only the patch with `cibadmin --patch`, which pacemaker
 * refuses if the live CIB changed between the diff and the push (the patch carries its version).
 * Then it waits until DRBD is promoted on one node and the group runs there.
 *
 * It runs on the preferred node: the CIB is the cluster's, one node speaks for it.
 * A cluster hapair did not configure (a resource without hapair's mark) is changed only with --yes,
 * after the plan has said what would change; its own resources are left as they are.
 */
import type {Change, Step, StepContext} from '../../engine/step.js'
import {RefusalError} from '../../errors.js'
import {factSet} from '../../facts/fact.js'
import {cibBuildFact, crmMonFact, describeCibChange, runningOn, type CibBuild, type CrmMonStatus} from '../../facts/pacemaker.js'
import {preferredNode} from '../../stacks/preferred-node.js'
import {cibBuildScript, cibWant, DRBD_CLONE, renderCibConfiguration, type CibWant} from '../../templates/cib.js'
import {pacemakerSection, pacemakerStack} from './sections.js'

const ID = 'pacemaker.cib'
/** Longest the group may take to start after a push: DRBD's promote (90 s) and the group's starts. */
export const SETTLE_S = 240

export interface PacemakerCibFacts {
  build: CibBuild
  mon: CrmMonStatus
}

export function wantedCib(ctx: StepContext): CibWant {
  return cibWant(ctx.config, pacemakerSection(ctx, ID), pacemakerStack(ctx, ID).service.servesNfs)
}

/** Build, verify, diff and push the patch, on the node, against the CIB of the moment. */
export function pushScript(want: CibWant): string {
  return `d=$(mktemp -d /tmp/hapair-cib.XXXXXX); trap 'rm -rf "$d"' EXIT
cibadmin --query > "$d/live.xml"
${cibBuildScript(want)}
crm_verify --xml-file "$d/new.xml" || { echo 'crm_verify refused the built configuration; nothing pushed' >&2; exit 1; }
if crm_diff --original "$d/live.xml" --new "$d/new.xml" --no-version > /dev/null 2>&1; then echo 'nothing to change'; exit 0; fi
crm_diff --original "$d/live.xml" --new "$d/new.xml" > "$d/patch.xml" || true
cibadmin --patch --xml-file "$d/patch.xml"
echo 'patch pushed'`
}

/** Waits until `clone` is promoted on one node and `group` runs there (crm_mon's XML, grepped). */
export function settleScript(group: string): string {
  return `t=$(mktemp); trap 'rm -f "$t"' EXIT
for i in $(seq 1 ${SETTLE_S}); do
  crm_mon --output-as=xml -1 > "$t" 2>/dev/null || true
  p=$(grep -A2 '<resource id="p_drbd" [^>]*role="\\(Promoted\\|Master\\)" [^>]*active="true"' "$t" | sed -n 's/.*<node name="\\([^"]*\\)".*/\\1/p' | head -1)
  if [ -n "$p" ] && awk '/<group id="${group}"/,/<\\/group>/' "$t" | grep -A1 'role="Started"' | grep -q "<node name=\\"$p\\""; then echo "DRBD promoted and ${group} started on $p after $i s"; exit 0; fi
  sleep 1
done
echo "${group} did not settle within ${SETTLE_S} s; crm_mon says:" >&2
crm_mon -1 -r >&2 2>&1 || true
exit 1`
}

/** Where the service runs, judged from crm_mon: one node holding the promoted DRBD and every member of the group. */
export function servingProblems(want: CibWant, mon: CrmMonStatus): string[] {
  if (!mon.available) return [`pacemaker does not answer: ${mon.error}`]
  const promoted = runningOn(mon, DRBD_CLONE, 'Promoted')
  const members = mon.resources.filter((r) => r.parent === want.group)
  const problems: string[] = []
  if (promoted.length !== 1) problems.push(`DRBD is promoted on ${promoted.length ? promoted.join(' and ') : 'no node'}`)
  for (const m of members) {
    if (!m.active || m.nodes.length !== 1 || (promoted.length === 1 && m.nodes[0] !== promoted[0])) problems.push(`${m.id} is ${m.active ? `on ${m.nodes.join(', ')}` : m.role}, not with the promoted DRBD`)
  }
  if (!members.length) problems.push(`pacemaker shows no resource of ${want.group}`)
  for (const r of mon.resources.filter((x) => x.failed)) problems.push(`${r.id} failed on ${r.nodes.join(', ') || 'a node'}`)
  return problems
}

export const pacemakerCibStep: Step<PacemakerCibFacts> = {
  id: ID,
  title: 'the cluster configuration (CIB): built offline, verified, pushed as a patch',
  nodes: (ctx) => [preferredNode(ctx.config)],
  facts: (ctx) => factSet({build: cibBuildFact(wantedCib(ctx)), mon: crmMonFact}),
  plan(ctx, facts) {
    const want = wantedCib(ctx)
    const node = preferredNode(ctx.config).name
    const {build} = facts[node]
    const push: Change[] = [
      {kind: 'command', node, title: 'push the CIB patch (cibadmin --patch)', script: pushScript(want), timeoutMs: 120_000},
      {kind: 'command', node, title: `wait for DRBD promoted and ${want.group} started on one node`, script: settleScript(want.group), timeoutMs: (SETTLE_S + 30) * 1000},
    ]
    if (!build.live) {
      // A dry run on nodes where pacemaker does not run yet: what would go in, whole.
      return {changes: push, notes: [`${node}: the live CIB cannot be read yet (${build.error}); the whole configuration will be pushed:\n${renderCibConfiguration(want)}`]}
    }
    if (!build.built || !build.verify.ok) {
      throw new RefusalError(
        `${ID}: the configuration built against ${node}'s live CIB is not valid; nothing was pushed:\n${[build.error, build.verify.output].filter(Boolean).join('\n')}`,
        'read crm_verify -L -V on the node; a resource or constraint someone else made may conflict with hapair\'s ids',
      )
    }
    if (!build.patch) return {changes: [], notes: [`${node}: the live CIB already holds hapair's configuration (crm_diff: no difference)`]}
    const lines = build.changes.map(describeCibChange)
    const notes = [`${node}: crm_diff against the live CIB:\n  ${lines.join('\n  ')}\npatch:\n${build.patch}`]
    const foreign = build.resources.filter((r) => !r.hapair)
    if (foreign.length && !ctx.options.yes) {
      throw new RefusalError(
        `${ID}: the cluster holds resources hapair did not create (${foreign.map((r) => r.id).join(', ')}); hapair would change:\n  ${lines.join('\n  ')}`,
        'run again with --yes to push this patch (those resources are left as they are, unless they carry one of hapair\'s ids), or --dry-run to see the whole patch',
      )
    }
    return {changes: push, notes}
  },
  verify(ctx, facts) {
    const node = preferredNode(ctx.config).name
    return servingProblems(wantedCib(ctx), facts[node].mon)
  },
}
