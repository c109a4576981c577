/**
 * pacemaker.keys: the secrets the cluster needs on the nodes, each a secret file as a whole,
 * 0400, compared by hash and never read back: corosync's authkey (identical on both nodes; the
 * secrets file's generated key) and, with fencing, the BMC password of each fenced node, which
 * fence_ipmilan reads through its `password_script` (the CIB, replicated and shown by
 * `crm configure show`, holds no password). Both nodes get every password: either may fence.
 */
import type {Change, Step} from '../../engine/step.js'
import {RefusalError} from '../../errors.js'
import {factSet, type FactSet} from '../../facts/fact.js'
import {secretFileFact, type FileInfo} from '../../facts/file.js'
import {fencePasswordPath, FENCE_PASSWORD_MODE} from '../../templates/cib.js'
import {COROSYNC_AUTHKEY_MODE, COROSYNC_AUTHKEY_PATH, renderCorosyncAuthkey} from '../../templates/corosync.js'
import {planSecretFile} from '../common/plan-file.js'
import {pacemakerSection} from './sections.js'

const ID = 'pacemaker.keys'

/** `authkey`, and `fence:<node>` per fenced node. */
export type PacemakerKeysFacts = Record<string, FileInfo>

const fenced = (fencing: ReturnType<typeof pacemakerSection>['fencing']) => (fencing === 'none' ? [] : fencing.devices.map((d) => d.node))

export const pacemakerKeysStep: Step<PacemakerKeysFacts> = {
  id: ID,
  title: "corosync's authkey and the fence passwords on both nodes (0400)",
  facts: (ctx) => factSet({authkey: secretFileFact(COROSYNC_AUTHKEY_PATH), ...Object.fromEntries(fenced(pacemakerSection(ctx, ID).fencing).map((n) => [`fence:${n}`, secretFileFact(fencePasswordPath(n))]))}) as FactSet<PacemakerKeysFacts>,
  plan(ctx, facts) {
    const pm = pacemakerSection(ctx, ID)
    const missing = fenced(pm.fencing).filter((n) => !ctx.secrets.fencePasswords?.[n])
    // Load refuses this before connecting; a step run with hand-made secrets still must not write an empty password.
    if (missing.length) throw new RefusalError(`${ID}: no BMC password for ${missing.join(', ')} in the secrets file`, 'add `fencePasswords: { <node>: "<password>" }` to the secrets file')
    const changes: Change[] = []
    const notes: string[] = []
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      const files = [
        planSecretFile(node.name, f.authkey, {path: COROSYNC_AUTHKEY_PATH, content: renderCorosyncAuthkey(ctx.secrets), mode: COROSYNC_AUTHKEY_MODE}),
        ...fenced(pm.fencing).map((n) =>
          planSecretFile(node.name, f[`fence:${n}`], {path: fencePasswordPath(n), content: `${ctx.secrets.fencePasswords![n]}\n`, mode: FENCE_PASSWORD_MODE}),
        ),
      ].filter((c) => c !== undefined)
      changes.push(...files)
      if (!files.length) notes.push(`${node.name}: authkey${fenced(pm.fencing).length ? ' and fence passwords' : ''} up to date (compared by hash)`)
    }
    return {changes, notes}
  },
}
