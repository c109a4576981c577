/**
 * Factory for "these packages are installed" steps; every stack's install step is one of these.
 */
import {RefusalError} from '../../errors.js'
import {factSet} from '../../facts/fact.js'
import {osFact} from '../../facts/os.js'
import {installedPackagesFact} from '../../facts/packages.js'
import {allFamilyNames, installScript, packageNames, type LogicalPackage} from '../../templates/packages.js'
import type {Change, Step, StepContext} from '../../engine/step.js'

export function packagesStep(id: string, title: string, wanted: (ctx: StepContext) => LogicalPackage[]): Step {
  return {
    id,
    title,
    facts: (ctx) => factSet({os: osFact, installed: installedPackagesFact(allFamilyNames(wanted(ctx)))}),
    plan(ctx, facts) {
      const changes: Change[] = []
      const notes: string[] = []
      for (const node of ctx.nodes) {
        const {os, installed} = facts[node.name]
        if (os.family === 'unknown') {
          throw new RefusalError(`${node.name}: no apt-get, dnf or yum found (${os.prettyName || 'unknown distro'})`, 'hapair supports Debian/Ubuntu and RHEL/Rocky/Alma/Fedora families')
        }
        const missing = packageNames(wanted(ctx), os.family).filter((p) => !installed.has(p))
        if (missing.length === 0) notes.push(`${node.name}: ${packageNames(wanted(ctx), os.family).join(', ')} already installed`)
        else changes.push({kind: 'command', node: node.name, title: `install ${missing.join(' ')}`, script: installScript(os.family, missing), timeoutMs: 15 * 60_000})
      }
      return {changes, notes}
    },
  }
}
