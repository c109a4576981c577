/**
 * What pacemaker says about the cluster: `crm_mon`'s XML (pacemaker 2's `--output-as=xml`, or
 * `--as-xml` where only that exists), the top-level resources of the live CIB (`cibadmin --query`),
 * and the offline build of hapair's wanted configuration against a copy of the live CIB: whether
 * crm_verify accepts it and the crm_diff patch that would take the live CIB there. Commands plus
 * pure parsers, tested against real output of pacemaker 2.1 (test/fixtures/recorded/pacemaker).
 */
import {cibBuildScript, HAPAIR_DESCRIPTION, type CibWant} from '../templates/cib.js'
import type {Fact} from './fact.js'
import {findAll, findFirst, parseXml, type XmlElement} from './xml.js'

export interface CrmMonNode {
  name: string
  online: boolean
  standby: boolean
  maintenance: boolean
  unclean: boolean
  dc: boolean
}

export interface CrmMonResource {
  id: string
  /** `ocf:heartbeat:Filesystem`, `stonith:fence_ipmilan` */
  agent: string
  /** Started, Stopped, Promoted, Unpromoted (pacemaker 2.1 prints Master/Slave in older versions: normalised). */
  role: string
  active: boolean
  failed: boolean
  managed: boolean
  /** Nodes it runs on. */
  nodes: string[]
  /** The clone or group it is part of. */
  parent?: string
}

export interface CrmMonStatus {
  /** crm_mon reached the cluster. */
  available: boolean
  /** Why not (crm_mon's own words), when not. */
  error?: string
  dc?: string
  quorum?: boolean
  stonithEnabled?: boolean
  nodes: CrmMonNode[]
  resources: CrmMonResource[]
}

export const CRM_MON_MISSING = 'hapair: crm_mon not installed'

/** pacemaker 2 has `--output-as=xml`; pacemaker 1.1 (CentOS 7) only `--as-xml`. */
export const crmMonFact: Fact<CrmMonStatus> = {
  command: `command -v crm_mon >/dev/null || { echo '${CRM_MON_MISSING}'; exit 0; }
if crm_mon --help-all 2>&1 | grep -q -- '--output-as'; then crm_mon --output-as=xml -1 2>&1; else crm_mon --as-xml 2>&1; fi`,
  parse: (stdout) => parseCrmMon(stdout),
}

const yes = (v: string | undefined) => v === 'true'
const ROLE: Record<string, string> = {Master: 'Promoted', Slave: 'Unpromoted'}

export function parseCrmMon(stdout: string): CrmMonStatus {
  const empty = {nodes: [], resources: []}
  if (stdout.includes(CRM_MON_MISSING)) return {available: false, error: 'crm_mon is not installed (pacemaker missing)', ...empty}
  let roots: XmlElement[]
  try {
    roots = parseXml(stdout)
  } catch (error) {
    return {available: false, error: `${stdout.trim().split('\n')[0] || (error as Error).message}`, ...empty}
  }
  const status = findFirst(roots, 'status')
  if (status && status.attrs.code !== '0') {
    const errors = findAll(status, 'error').length ? ` (${stdout.match(/<error>([^<]*)<\/error>/g)?.map((e) => e.replace(/<\/?error>/g, '')).join('; ')})` : ''
    return {available: false, error: `${status.attrs.message ?? 'error'}${errors}`, ...empty}
  }
  const summary = findFirst(roots, 'summary')
  if (!summary) return {available: false, error: stdout.trim().split('\n')[0] || 'crm_mon printed nothing', ...empty}
  const dc = findFirst(summary, 'current_dc')
  const options = findFirst(summary, 'cluster_options')
  const nodesEl = findFirst(roots, 'nodes')
  const nodes = (nodesEl?.children ?? [])
    .filter((n) => n.name === 'node')
    .map((n) => ({
      name: n.attrs.name,
      online: yes(n.attrs.online),
      standby: yes(n.attrs.standby) || yes(n.attrs.standby_onfail),
      maintenance: yes(n.attrs.maintenance),
      unclean: yes(n.attrs.unclean),
      dc: yes(n.attrs.is_dc),
    }))
  const resourcesEl = findFirst(roots, 'resources')
  const resources: CrmMonResource[] = []
  const walk = (el: XmlElement, parent?: string) => {
    for (const c of el.children) {
      if (c.name === 'resource') {
        resources.push({
          id: c.attrs.id,
          agent: c.attrs.resource_agent ?? '',
          role: ROLE[c.attrs.role] ?? c.attrs.role ?? '',
          active: yes(c.attrs.active),
          failed: yes(c.attrs.failed),
          managed: c.attrs.managed !== 'false',
          nodes: c.children.filter((n) => n.name === 'node').map((n) => n.attrs.name),
          ...(parent && {parent}),
        })
      } else if (c.name === 'clone' || c.name === 'group' || c.name === 'bundle') {
        walk(c, c.attrs.id)
      }
    }
  }
  if (resourcesEl) walk(resourcesEl)
  return {
    available: true,
    ...(dc && yes(dc.attrs.present) && {dc: dc.attrs.name}),
    ...(dc && {quorum: yes(dc.attrs.with_quorum)}),
    ...(options && {stonithEnabled: yes(options.attrs['stonith-enabled'])}),
    nodes,
    resources,
  }
}

/** Where a resource is in its role: the node(s) running it as Promoted, or Started for a plain resource. */
export function runningOn(status: CrmMonStatus, id: string, role = 'Started'): string[] {
  return status.resources.filter((r) => (r.id === id || r.parent === id) && r.active && r.role === role).flatMap((r) => r.nodes)
}

/** A top-level resource of the live CIB: its id, kind and whether hapair made it. */
export interface CibResource {
  id: string
  kind: string
  hapair: boolean
}

/** The top-level resources of a CIB as `cibadmin --query` prints it (whole CIB or the resources scope). */
export function parseCibResources(xml: string): CibResource[] {
  const roots = parseXml(xml)
  const resources = findFirst(roots, 'resources')
  return (resources?.children ?? []).map((r) => ({id: r.attrs.id, kind: r.name, hapair: r.attrs.description === HAPAIR_DESCRIPTION}))
}

/** One change of a crm_diff patch (format 2), for showing and judging. */
export interface CibChange {
  operation: 'create' | 'delete' | 'modify' | 'move'
  path: string
  /** The id of the element created, when it has one. */
  id?: string
  /** For modify: the attributes set or unset. */
  attrs?: string[]
}

/**
 * The changes of a crm_diff patch, without the version bookkeeping (the modify of /cib that
 * only moves epoch / num_updates). Empty: the two CIBs hold the same configuration.
 */
export function parseCrmDiff(xml: string): CibChange[] {
  if (!xml.trim()) return []
  const diff = findFirst(parseXml(xml), 'diff')
  if (!diff) throw new Error('crm_diff printed no <diff>')
  const out: CibChange[] = []
  for (const c of diff.children.filter((e) => e.name === 'change')) {
    const operation = c.attrs.operation as CibChange['operation']
    if (operation === 'modify') {
      const attrs = findAll(c, 'change-attr').map((a) => a.attrs.name)
      if (c.attrs.path === '/cib' && attrs.every((a) => ['epoch', 'num_updates', 'admin_epoch'].includes(a))) continue
      out.push({operation, path: c.attrs.path, attrs})
    } else if (operation === 'create') {
      const el = c.children[0]
      out.push({operation, path: c.attrs.path, ...(el && {id: el.attrs.id ?? el.name})})
    } else {
      out.push({operation, path: c.attrs.path})
    }
  }
  return out
}

/** `create resources/ms_drbd` ... : one line per change, for plans and --dry-run. */
export function describeCibChange(c: CibChange): string {
  const path = c.path.replace(/^\/cib\/configuration\/?/, '')
  if (c.operation === 'create') return `create ${[path, c.id].filter(Boolean).join('/')}`
  if (c.operation === 'modify') return `modify ${path} (${(c.attrs ?? []).join(', ')})`
  return `${c.operation} ${path}`
}

export interface CibBuild {
  /** The live CIB could be read (pacemaker runs on the node). */
  live: boolean
  /** Why not. */
  error?: string
  /** Top-level resources of the live CIB. */
  resources: CibResource[]
  /** The wanted configuration went into the copy (cibadmin and crm_attribute on the file succeeded). */
  built: boolean
  /** crm_verify on the built copy. */
  verify: {ok: boolean; output: string}
  /** The crm_diff patch from live to wanted; null when there is nothing to change. */
  patch: string | null
  changes: CibChange[]
}

const M = '@@hapair-cib'

/**
 * The offline build, read-only for the cluster: a copy of the live CIB in a temp directory gets
 * hapair's configuration (CIB_file), crm_verify judges it, crm_diff compares it with the live one.
 * `--no-version` decides whether anything differs; the versioned patch is what would be pushed
 * (cibadmin --patch refuses it if the live CIB moved on meanwhile).
 */
export function cibBuildFact(want: CibWant): Fact<CibBuild> {
  return {
    command: `command -v cibadmin >/dev/null || { echo '${M} unavailable'; echo 'cibadmin not installed (pacemaker missing)'; exit 0; }
d=$(mktemp -d /tmp/hapair-cib.XXXXXX); trap 'rm -rf "$d"' EXIT
if ! cibadmin --query > "$d/live.xml" 2> "$d/err"; then echo '${M} unavailable'; cat "$d/err"; exit 0; fi
echo '${M} resources'
CIB_file="$d/live.xml" cibadmin --query --scope resources
${cibBuildScript(want)} > "$d/build.out" 2>&1
echo "${M} build $?"
cat "$d/build.out"
echo '${M} verify'
crm_verify --xml-file "$d/new.xml" 2>&1
echo "${M} verify-rc $?"
if crm_diff --original "$d/live.xml" --new "$d/new.xml" --no-version > /dev/null 2>&1; then echo '${M} same'; else echo '${M} patch'; crm_diff --original "$d/live.xml" --new "$d/new.xml"; fi
echo '${M} end'`,
    parse: (stdout) => parseCibBuild(stdout),
  }
}

export function parseCibBuild(stdout: string): CibBuild {
  const sections = new Map<string, string[]>()
  let current: string[] | undefined
  const heads: string[] = []
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${M} `)) {
      const head = line.slice(M.length + 1).trim()
      heads.push(head)
      current = []
      sections.set(head.split(' ')[0], current)
      continue
    }
    current?.push(line)
  }
  const text = (name: string) => (sections.get(name) ?? []).join('\n').trim()
  const failed = {resources: [], built: false, verify: {ok: false, output: ''}, patch: null, changes: []}
  if (sections.has('unavailable')) return {live: false, error: text('unavailable') || 'the live CIB could not be read', ...failed}
  if (!heads.includes('end')) return {live: false, error: 'the CIB build stopped early (no end marker)', ...failed}
  const buildHead = heads.find((h) => h.startsWith('build '))
  const verifyHead = heads.find((h) => h.startsWith('verify-rc '))
  const resources = parseCibResources(text('resources'))
  const built = buildHead === 'build 0'
  const verifyOk = verifyHead === 'verify-rc 0'
  const patch = sections.has('patch') ? text('patch') : null
  return {
    live: true,
    resources,
    built,
    // cibadmin prints the whole refused CIB before its reason: keep the reason.
    ...(built ? {} : {error: text('build').split('\n').filter((l) => !/^\s*\d+ /.test(l)).join('\n').trim()}),
    verify: {ok: verifyOk, output: text('verify')},
    patch,
    changes: patch ? parseCrmDiff(patch) : [],
  }
}
