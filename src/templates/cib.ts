/**
 * The pacemaker configuration hapair wants, as pure functions of the cluster file (seed 002 with
 * today's names): the DRBD resource as a promotable clone of ocf:linbit:drbd, a group holding the
 * filesystem (and, serving NFS, nfsserver, one exportfs per export and the VIP, started in that
 * order and stopped in reverse), colocated with the Promoted role and started after the promotion;
 * monitors with intervals and timeouts, resource-stickiness, and one fence_ipmilan device per node
 * with a delay that keeps a split from fencing both nodes.
 *
 * hapair owns the elements whose ids are listed in `CibWant.ids`, and nothing else: the build
 * script (cibBuildScript) deletes exactly those from a copy of the live CIB and creates them anew,
 * sets hapair's cluster properties and resource defaults, and leaves every other element alone.
 * crm_diff of the copy against the live CIB is then the patch to push.
 *
 * No secret is in the CIB: fence_ipmilan reads the BMC password from a 0400 file through its
 * `password_script` parameter (the CIB is replicated to every node and shown by `crm configure show`).
 */
import type {ClusterConfig, PacemakerConfig} from '../config/schema.js'
import {shq} from '../facts/fact.js'
import {preferredNode} from '../stacks/preferred-node.js'

/** Marks hapair's resources; one without it, under one of hapair's ids, was made by someone else. */
export const HAPAIR_DESCRIPTION = 'managed by hapair'
export const FENCE_DIR = '/etc/hapair/fence'
export const FENCE_PASSWORD_MODE = 0o400
export const fencePasswordPath = (node: string) => `${FENCE_DIR}/${node}.pass`
/** Score of the location preference for the preferred node: below the default stickiness, so service stays where it runs. */
export const PREFER_SCORE = 50

export interface CibWant {
  /** cluster properties (crm_config), set with crm_attribute. */
  properties: [string, string][]
  /** resource defaults (rsc_defaults). */
  rscDefaults: [string, string][]
  /** top-level resource elements, in the order they are created. */
  resources: string[]
  /** constraints, created after the resources. */
  constraints: string[]
  ids: {resources: string[]; constraints: string[]}
  /** The group the service lives in (what drills and status ask pacemaker about). */
  group: string
}

export const DRBD_CLONE = 'ms_drbd'
/** Constraints carry no description: hapair's are known by this prefix of their ids. */
export const CONSTRAINT_PREFIX = 'hapair-'
export const DRBD_PRIMITIVE = 'p_drbd'

const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function nvset(tag: 'instance_attributes' | 'meta_attributes', id: string, pairs: [string, string][]): string {
  if (!pairs.length) return ''
  return `<${tag} id="${id}">${pairs.map(([n, v]) => `<nvpair id="${id}-${n}" name="${n}" value="${esc(v)}"/>`).join('')}</${tag}>`
}

interface Op {
  name: string
  interval: string
  timeout: string
  role?: 'Promoted' | 'Unpromoted'
}

function ops(id: string, list: Op[]): string {
  return `<operations>${list
    .map((o) => `<op id="${id}-${o.name}-${o.interval}${o.role ? `-${o.role.toLowerCase()}` : ''}" name="${o.name}" interval="${o.interval}" timeout="${o.timeout}"${o.role ? ` role="${o.role}"` : ''}/>`)
    .join('')}</operations>`
}

function primitive(id: string, agent: {class: string; provider?: string; type: string}, params: [string, string][], opList: Op[], meta: [string, string][] = []): string {
  const provider = agent.provider ? ` provider="${agent.provider}"` : ''
  return `<primitive id="${id}" class="${agent.class}"${provider} type="${agent.type}" description="${HAPAIR_DESCRIPTION}">${nvset('instance_attributes', `${id}-params`, params)}${nvset('meta_attributes', `${id}-meta`, meta)}${ops(id, opList)}</primitive>`
}

const basicOps = (monitor: string, monitorTimeout: string, start: string, stop: string): Op[] => [
  {name: 'start', interval: '0s', timeout: start},
  {name: 'stop', interval: '0s', timeout: stop},
  {name: 'monitor', interval: monitor, timeout: monitorTimeout},
]

/** The exportfs RA needs an fsid; the export's own `fsid=` option when it has one, else its position. */
function exportFsid(options: string[], index: number): {fsid: string; rest: string[]} {
  const own = options.find((o) => o.startsWith('fsid='))
  return {fsid: own ? own.slice(5) : String(index + 1), rest: options.filter((o) => !o.startsWith('fsid='))}
}

/** The NFS server's state on the DRBD filesystem (the same directory the other stacks bind over /var/lib/nfs). */
export const nfsInfodir = (config: ClusterConfig) => `${config.filesystem!.mountPoint}/.hapair-nfs`

export function cibWant(config: ClusterConfig, pm: PacemakerConfig, servesNfs: boolean): CibWant {
  const fs = config.filesystem!
  const drbd = primitive(
    DRBD_PRIMITIVE,
    {class: 'ocf', provider: 'linbit', type: 'drbd'},
    [['drbd_resource', config.drbd.resource]],
    [
      {name: 'start', interval: '0s', timeout: '240s'},
      {name: 'stop', interval: '0s', timeout: '100s'},
      {name: 'promote', interval: '0s', timeout: '90s'},
      {name: 'demote', interval: '0s', timeout: '90s'},
      {name: 'notify', interval: '0s', timeout: '90s'},
      // Two monitors need two intervals: pacemaker tells them apart by interval alone.
      {name: 'monitor', interval: '29s', timeout: '20s', role: 'Promoted'},
      {name: 'monitor', interval: '31s', timeout: '20s', role: 'Unpromoted'},
    ],
  )
  const clone = `<clone id="${DRBD_CLONE}" description="${HAPAIR_DESCRIPTION}">${nvset('meta_attributes', `${DRBD_CLONE}-meta`, [
    ['promotable', 'true'],
    ['promoted-max', '1'],
    ['promoted-node-max', '1'],
    ['clone-max', '2'],
    ['clone-node-max', '1'],
    ['notify', 'true'],
  ])}${drbd}</clone>`

  const members = [
    primitive('p_fs', {class: 'ocf', provider: 'heartbeat', type: 'Filesystem'}, [['device', config.drbd.device], ['directory', fs.mountPoint], ['fstype', fs.type]], basicOps('20s', '40s', '60s', '60s')),
  ]
  if (servesNfs) {
    const nfs = config.nfs!
    members.push(
      primitive(
        'p_nfsserver',
        {class: 'ocf', provider: 'heartbeat', type: 'nfsserver'},
        [['nfs_shared_infodir', nfsInfodir(config)]],
        basicOps('10s', '20s', '40s', '20s'),
      ),
    )
    nfs.exports.forEach((e, i) => {
      const {fsid, rest} = exportFsid(e.options, i)
      members.push(
        primitive(
          `p_exportfs_${i}`,
          {class: 'ocf', provider: 'heartbeat', type: 'exportfs'},
          [['clientspec', e.clients], ['directory', e.path], ['fsid', fsid], ['options', rest.join(',')], ['wait_for_leasetime_on_stop', 'false']],
          basicOps('30s', '20s', '40s', '120s'),
        ),
      )
    })
    // The VIP last: clients reach the address only once the exports are served, and lose it first.
    members.push(
      primitive(
        'p_vip',
        {class: 'ocf', provider: 'heartbeat', type: 'IPaddr2'},
        [['ip', config.vip.address], ['cidr_netmask', String(config.vip.prefix)], ['nic', config.vip.interface]],
        basicOps('10s', '20s', '20s', '20s'),
      ),
    )
  }
  const group = servesNfs ? 'g_nfs' : 'g_fs'
  const groupXml = `<group id="${group}" description="${HAPAIR_DESCRIPTION}">${members.join('')}</group>`

  const fencing = pm.fencing === 'none' ? [] : fenceDevices(config, pm.fencing)
  const preferred = preferredNode(config).name
  const c = CONSTRAINT_PREFIX
  const constraints = [
    `<rsc_colocation id="${c}${group}-with-drbd-promoted" rsc="${group}" with-rsc="${DRBD_CLONE}" with-rsc-role="Promoted" score="INFINITY"/>`,
    `<rsc_order id="${c}drbd-promote-then-${group}" first="${DRBD_CLONE}" first-action="promote" then="${group}" then-action="start" kind="Mandatory"/>`,
    `<rsc_location id="${c}${group}-prefers-${preferred}" rsc="${group}" node="${preferred}" score="${PREFER_SCORE}"/>`,
    // A node never runs the device that fences itself.
    ...fencing.map((d) => `<rsc_location id="${c}${d.id}-not-on-${d.node}" rsc="${d.id}" node="${d.node}" score="-INFINITY"/>`),
  ]
  const constraintIds = constraints.map((c) => /id="([^"]+)"/.exec(c)![1])
  const resources = [clone, groupXml, ...fencing.map((d) => d.xml)]
  return {
    properties: [
      ['stonith-enabled', pm.fencing === 'none' ? 'false' : 'true'],
      // With two_node (or the quorum device) the survivor keeps quorum; without it nothing runs.
      ['no-quorum-policy', 'stop'],
    ],
    rscDefaults: [['resource-stickiness', String(pm.stickiness)]],
    resources,
    constraints,
    ids: {resources: [DRBD_CLONE, group, ...fencing.map((d) => d.id)], constraints: constraintIds},
    group,
  }
}

type Fencing = Exclude<PacemakerConfig['fencing'], 'none'>

/**
 * One stonith device per node, named for the node it powers off. The delay goes on the device
 * that fences the preferred node: in a split both nodes shoot at once, the preferred node's
 * killer waits `static` seconds, so the preferred node shoots first and survives. `randomMax`
 * puts a random delay up to that many seconds on both instead (no preference).
 */
export function fenceDevices(config: ClusterConfig, fencing: Fencing): {id: string; node: string; xml: string}[] {
  const preferred = preferredNode(config).name
  return fencing.devices.map((d) => {
    const id = `st_${d.node}`
    const delay: [string, string][] =
      'static' in fencing.delay ? (d.node === preferred ? [['pcmk_delay_base', `${fencing.delay.static}s`]] : []) : [['pcmk_delay_max', `${fencing.delay.randomMax}s`]]
    const params: [string, string][] = [
      ['pcmk_host_list', d.node],
      ['ip', d.ip],
      ['ipport', String(d.ipport)],
      ['username', d.username],
      ['password_script', `cat ${fencePasswordPath(d.node)}`],
      ['lanplus', d.lanplus ? '1' : '0'],
      ...(d.cipher !== undefined ? ([['cipher', String(d.cipher)]] as [string, string][]) : []),
      ...delay,
    ]
    const xml = primitive(id, {class: 'stonith', type: fencing.agent}, params, [{name: 'monitor', interval: '60s', timeout: '20s'}])
    return {id, node: d.node, xml}
  })
}

const nv = (id: string, pairs: [string, string][]) => pairs.map(([n, v]) => `<nvpair id="${id}-${n}" name="${n}" value="${esc(v)}"/>`).join('')
/** The ids crmsh and pcs use for the cluster options, so hapair's values land in the set they show. */
const propertySet = (pairs: [string, string][]) => `<cluster_property_set id="cib-bootstrap-options">${nv('cib-bootstrap-options', pairs)}</cluster_property_set>`
const rscDefaultsSet = (pairs: [string, string][]) => `<meta_attributes id="rsc-options">${nv('rsc-options', pairs)}</meta_attributes>`

/** The wanted configuration as one readable XML document (for --dry-run on a cluster not running yet, and for docs). */
export function renderCibConfiguration(want: CibWant): string {
  return [
    '<configuration>',
    `  <crm_config>${propertySet(want.properties)}</crm_config>`,
    '  <resources>',
    ...want.resources.map((r) => `    ${r}`),
    '  </resources>',
    '  <constraints>',
    ...want.constraints.map((c) => `    ${c}`),
    '  </constraints>',
    `  <rsc_defaults>${rscDefaultsSet(want.rscDefaults)}</rsc_defaults>`,
    '</configuration>',
    '',
  ].join('\n')
}

const notIds = (ids: string[]) => (ids.length ? ` and not(${ids.map((id) => `@id='${id}'`).join(' or ')})` : '')

/**
 * Shell that turns `$d/live.xml` (a copy of the live CIB) into `$d/new.xml` with hapair's
 * configuration, offline (CIB_file). hapair's elements that are no longer wanted go first
 * (constraints by their id prefix, resources by their description), then each wanted element
 * replaces its namesake in place (keeping its position, so crm_diff shows no moves) or is created;
 * the cluster options and resource defaults are merged by id. Nothing else is touched. Ids are
 * plain words and the XML holds no `'`, so single quotes carry it.
 */
export function cibBuildScript(want: CibWant): string {
  const put = (scope: string, xml: string) =>
    `cibadmin --replace --scope ${scope} --xml-text ${shq(xml)} 2>/dev/null || cibadmin --create --scope ${scope} --xml-text ${shq(xml)}`
  return [
    'cp "$d/live.xml" "$d/new.xml"',
    '(',
    'set -e',
    'export CIB_file="$d/new.xml"',
    `cibadmin --delete-all --force --xpath ${shq(`/cib/configuration/constraints/*[starts-with(@id,'${CONSTRAINT_PREFIX}')${notIds(want.ids.constraints)}]`)}`,
    `cibadmin --delete-all --force --xpath ${shq(`/cib/configuration/resources/*[@description='${HAPAIR_DESCRIPTION}'${notIds(want.ids.resources)}]`)}`,
    ...want.resources.map((r) => put('resources', r)),
    ...want.constraints.map((c) => put('constraints', c)),
    // cibadmin --modify merges by id: the set's other nvpairs (dc-version, cluster-name, the user's) stay.
    // (crm_attribute cannot set rsc_defaults on a CIB file in pacemaker 2.1: it looks for a node.)
    `cibadmin --modify --allow-create --scope crm_config --xml-text ${shq(`<crm_config>${propertySet(want.properties)}</crm_config>`)}`,
    `cibadmin --modify --allow-create --scope rsc_defaults --xml-text ${shq(`<rsc_defaults>${rscDefaultsSet(want.rscDefaults)}</rsc_defaults>`)}`,
    ')',
  ].join('\n')
}
