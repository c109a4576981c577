/**
 * Factory for "these packages are installed" steps; every stack's install step is one of these.
 * A package that comes from a repository the node has not enabled (ELRepo, HighAvailability) is
 * refused before anything is installed, with the command that enables it.
 */
import {RefusalError} from '../../errors.js'
import {factSet} from '../../facts/fact.js'
import {osFact} from '../../facts/os.js'
import {installedPackagesFact} from '../../facts/packages.js'
import {familyOf} from '../../distro/family.js'
import {allFamilyNames, installScript, notPackaged, packageNames, type LogicalPackage} from '../../distro/packages.js'
import {missingRepos, repolistFact} from '../../distro/repos.js'
import type {Change, Plan, Step, StepContext} from '../../engine/step.js'

/** The facts a packages step reads; steps that read more spread these into their own set. */
export function packageFacts(logical: LogicalPackage[]) {
  return {os: osFact, installed: installedPackagesFact(allFamilyNames(logical)), repos: repolistFact}
}

type PackageFacts = {[K in keyof ReturnType<typeof packageFacts>]: ReturnType<ReturnType<typeof packageFacts>[K]['parse']>}

export function packagesStep(id: string, title: string, wanted: (ctx: StepContext) => LogicalPackage[]): Step<PackageFacts> {
  return {
    id,
    title,
    facts: (ctx) => factSet(packageFacts(wanted(ctx))),
    plan: (ctx, facts) => planPackages(ctx, facts, wanted(ctx)),
  }
}

export function planPackages(ctx: StepContext, facts: Record<string, PackageFacts>, logical: LogicalPackage[]): Plan {
  const changes: Change[] = []
  const notes: string[] = []
  const refusals: string[] = []
  const enable: string[] = []
  for (const node of ctx.nodes) {
    const {os, installed, repos} = facts[node.name]
    const family = familyOf(node, os, ctx.options.forceDistro)
    const unavailable = notPackaged(logical, family)
    if (unavailable.length) {
      refusals.push(...unavailable.map((u) => `${node.name}: ${u.pkg} cannot be installed on ${os.prettyName || family}: ${u.instead}`))
      continue
    }
    const names = packageNames(logical, family)
    const missing = names.filter((p) => !installed.has(p))
    if (missing.length === 0) {
      notes.push(`${node.name}: ${names.join(', ')} already installed`)
      continue
    }
    const absent = missingRepos(missing, os, repos)
    for (const {repo, packages} of absent) {
      refusals.push(`${node.name}: ${packages.join(', ')} come${packages.length === 1 ? 's' : ''} from ${repo.name}, which is not enabled`)
      enable.push(`on ${node.name}: ${repo.enable}`)
    }
    if (absent.length === 0) changes.push({kind: 'command', node: node.name, title: `install ${missing.join(' ')}`, script: installScript(family, missing), timeoutMs: 15 * 60_000})
  }
  if (refusals.length) throw new RefusalError(refusals.join('\n'), enable.length ? `enable the repositories, then run again: ${enable.join('; ')}` : undefined)
  return {changes, notes}
}
