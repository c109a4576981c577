/**
 * What the support bundle reads from one node, as one read-only script (each item in its own
 * subshell, so a missing tool costs that item only). Which units and which DRBD and NFS items
 * come from the stack descriptor; nothing here names a stack.
 *
 * `drbdadm dump` prints the resource file, shared-secret included: the value is replaced on the
 * node, so it never crosses the wire; the bundle is scanned for every secret afterwards anyway.
 */
import {factSet, shq, type Fact} from '../facts/fact.js'
import {secretSed} from '../facts/file.js'
import type {StackDescriptor} from '../stacks/types.js'
import type {TarEntry} from './tar.js'

export interface ReportItem {
  /** File name inside the node's folder, without `.txt`. */
  name: string
  command: string
}

export interface NodeReportOptions {
  /** journalctl --since (e.g. `2 hours ago`, `2026-12-07 10:00`); without it the last lines only. */
  since?: string
  journalLines?: number
}

/** journalctl --since values: words, digits, dates and times; nothing a shell would read. */
export const SINCE_RE = /^[0-9A-Za-z:. +-]{1,40}$/

export function nodeReportItems(stack: StackDescriptor, opts: NodeReportOptions = {}): ReportItem[] {
  const units = [...new Set([...stack.manager.units, ...stack.service.units])]
  const since = opts.since ? ` --since ${shq(opts.since)}` : ''
  const lines = opts.journalLines ?? 500
  const items: ReportItem[] = [
    {name: 'system', command: 'uname -a; echo; cat /etc/os-release; echo; uptime'},
    {name: 'ip-addr', command: 'ip addr'},
    {name: 'ip-route', command: 'ip route'},
  ]
  if (stack.service.usesDrbd) {
    items.push(
      {name: 'proc-drbd', command: 'cat /proc/drbd'},
      {name: 'drbdadm-status', command: 'drbdadm status all'},
      {name: 'drbdadm-dump', command: `drbdadm dump all | sed -E 's/(shared-secret[[:space:]]+)("[^"]*"|[^;[:space:]]+)/\\1"<secret>"/'`},
      {name: 'mounts', command: 'findmnt --list'},
    )
  }
  if (stack.service.servesNfs) items.push({name: 'exports', command: 'cat /etc/exports; echo; exportfs -v'})
  for (const unit of units) {
    items.push({name: `systemctl-status-${unit}`, command: `systemctl status --no-pager --full ${shq(unit)}`})
    items.push({name: `journal-${unit}`, command: `journalctl --no-pager -u ${shq(unit)} -n ${lines}${since}`})
  }
  for (const file of stack.manager.configFiles) {
    // The secret values are replaced on the node by the same sed the steps' file facts use.
    const read = file.secretKeys?.length ? `${secretSed(file.secretKeys)} ${shq(file.path)}` : `cat ${shq(file.path)}`
    items.push({name: `file${file.path.replace(/[^A-Za-z0-9.-]+/g, '-')}`, command: read})
  }
  if (stack.transitionLog) items.push({name: 'transitions', command: `tail -n ${lines} ${shq(stack.transitionLog)}`})
  return items
}

const passthrough: Fact<{stdout: string; code: number}> = {command: '', parse: (stdout, code) => ({stdout, code})}

/** The one script for all items, and its output to one file per item: the command, its exit code, its output. */
export function nodeReportScript(items: ReportItem[]): {script: string; entries(stdout: string, dir: string): TarEntry[]} {
  const set = factSet(Object.fromEntries(items.map((i) => [i.name, {...passthrough, command: i.command}])))
  return {
    script: set.script,
    entries(stdout, dir) {
      const got = set.parse(stdout) as Record<string, {stdout: string; code: number}>
      return items.map((i) => ({path: `${dir}/${i.name}.txt`, content: `$ ${i.command}\n(exit ${got[i.name].code})\n\n${got[i.name].stdout}\n`}))
    },
  }
}
