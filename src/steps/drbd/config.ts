/**
 * drbd.config: /etc/drbd.d/global_common.conf and /etc/drbd.d/<resource>.res, byte-identical on
 * both nodes, in the syntax of the DRBD major version the kernel runs; /etc/drbd.conf only when it
 * does not include them.
 *
 * Validation: each file is checked by drbdadm before it replaces the old one. The runner writes the
 * new content to a temp file and runs `validate` with `{}` as its path. A resource file is a
 * complete drbd.conf on its own, so `drbdadm -c {} dump <res>` parses exactly the new content,
 * with this node's kernel version and host name: a syntax error, an option the module's version
 * does not know, or a host name matching no `on` section fails here, before anything uses the file.
 * (The temp file must not end in `.res`, or drbd.conf's `drbd.d/*.res` would include it meanwhile.)
 */
import {createHash} from 'node:crypto'
import type {Change, Step} from '../../engine/step.js'
import {factSet} from '../../facts/fact.js'
import {drbdKernelFact, type DrbdMajor} from '../../facts/drbd.js'
import {fileFact} from '../../facts/file.js'
import {DRBD_CONF_PATH, DRBD_SECRET_KEYS, GLOBAL_COMMON_PATH, drbdConf, drbdResourceConf, globalCommonConf, resourceFilePath} from '../../templates/drbd.js'
import {planFile} from '../common/plan-file.js'
import {stackOf} from '../../stacks/registry.js'
import {requireStorage} from '../storage/require.js'
import {kernelProblems, refuseIf} from './common.js'

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12)

/** drbd.conf must pull in global_common.conf and the resource files; anything else there is kept. */
export function includesDrbdD(content: string | null): boolean {
  if (!content) return false
  const active = content.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n')
  return /include\s+"(\/etc\/)?drbd\.d\/\*\.res"/.test(active) && /include\s+"(\/etc\/)?drbd\.d\/global_common\.conf"/.test(active)
}

export const drbdConfig: Step = {
  id: 'drbd.config',
  title: 'DRBD configuration',
  facts: (ctx) =>
    factSet({
      kernel: drbdKernelFact,
      drbdConf: fileFact(DRBD_CONF_PATH),
      globalCommon: fileFact(GLOBAL_COMMON_PATH),
      resource: fileFact(resourceFilePath(ctx.config), {secretKeys: DRBD_SECRET_KEYS}),
    }),
  plan(ctx, facts) {
    requireStorage(ctx.config)
    const problems: string[] = []
    for (const node of ctx.nodes) {
      const {kernel} = facts[node.name]
      problems.push(...kernelProblems(node.name, kernel))
      if (kernel.hostname && kernel.hostname !== node.name) {
        problems.push(
          `${node.name}: \`uname -n\` says "${kernel.hostname}"; DRBD finds its \`on\` section by that name, so the cluster file's node name must be "${kernel.hostname}" (or rename the host)`,
        )
      }
    }
    refuseIf('drbd.config', problems)
    const majors = new Set(ctx.nodes.map((n) => facts[n.name].kernel.major))
    if (majors.size > 1) {
      const versions = ctx.nodes.map((n) => `${n.name} ${facts[n.name].kernel.loaded}`).join(', ')
      refuseIf('drbd.config', [`the nodes run different DRBD major versions (${versions}); both need the same one for one configuration`])
    }
    const major = [...majors][0] as DrbdMajor
    const res = ctx.config.drbd.resource
    const resourcePath = resourceFilePath(ctx.config)
    const global = globalCommonConf(ctx.config)
    const resource = drbdResourceConf(ctx.config, ctx.secrets, major, stackOf(ctx.config).manager.drbdFencing)
    const changes: Change[] = []
    for (const node of ctx.nodes) {
      const f = facts[node.name]
      if (!includesDrbdD(f.drbdConf.content)) {
        const c = planFile(node.name, f.drbdConf, {path: DRBD_CONF_PATH, content: drbdConf(), mode: 0o644, title: `${f.drbdConf.exists ? 'rewrite' : 'write'} ${DRBD_CONF_PATH} to include drbd.d/*.res`})
        if (c) changes.push(c)
      }
      const g = planFile(node.name, f.globalCommon, {path: GLOBAL_COMMON_PATH, content: global, mode: 0o644, validate: 'drbdadm -c {} dump all >/dev/null'})
      if (g) changes.push(g)
      const r = planFile(node.name, f.resource, {path: resourcePath, content: resource, mode: 0o600, secretKeys: DRBD_SECRET_KEYS, validate: `drbdadm -c {} dump ${res} >/dev/null`})
      if (r) changes.push(r)
    }
    const names = ctx.nodes.map((n) => n.name).join(', ')
    const notes = [
      `DRBD ${major === 9 ? '9' : '8.4'} syntax (module ${facts[ctx.nodes[0].name].kernel.loaded})`,
      `${names}: ${resourcePath} sha256 ${sha(resource)}…, ${GLOBAL_COMMON_PATH} sha256 ${sha(global)}… (identical on both nodes)`,
    ]
    if (changes.length === 0) notes.unshift('configuration already in place on both nodes')
    return {changes, notes}
  },
}
