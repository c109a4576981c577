/**
 * Corosync + Pacemaker (seed 002): pacemaker's drbd clone owns the DRBD role and the mount, and
 * starts DRBD itself (DRBD's boot service stays disabled); DRBD fences through the cluster
 * (`fencing resource-only`, crm-fence-peer). Its steps are in src/steps/pacemaker/; the descriptor
 * stays `ready: false` until the lab suite has proven them (docs/pacemaker.md).
 */
import type {ConfigProblem} from '../../errors.js'
import {isIP} from '../../config/address.js'
import {COROSYNC_CONF_PATH, consensusMs} from '../../templates/corosync.js'
import {duplicateValues} from '../rules.js'
import type {HaManager, LooseConfig} from '../types.js'

/** corosync 3's default token, ms (the schema's default too). */
const COROSYNC_TOKEN_MS = 3000
const PCSD_PORT = 2224
const tokenOf = (config: {pacemaker?: {token?: number}}) => config.pacemaker?.token ?? COROSYNC_TOKEN_MS

export const pacemakerManager: HaManager = {
  id: 'pacemaker',
  title: 'corosync + pacemaker',
  section: 'pacemaker',
  // Fencing must be chosen, `none` included: there is no default to fall back on.
  sectionRequired: true,
  packages: ['pacemaker'],
  haUnit: 'pacemaker',
  // pcsd only where the cluster is managed with pcs; a unit that is not there reports as such.
  units: ['corosync', 'pacemaker', 'pcsd'],
  // The authkey and the fence password files are secrets as a whole: never collected.
  configFiles: [{path: COROSYNC_CONF_PATH}],
  // Killing corosync (membership) is what takes a node out from under pacemaker at once.
  haProcess: 'corosync',
  startHa: 'systemctl reset-failed corosync pacemaker 2>/dev/null || true\nsystemctl start corosync pacemaker',
  stopHa: 'systemctl stop pacemaker',
  killHa: 'pkill -KILL -x corosync',
  ownsDrbdRole: true,
  drbdFencing: 'resource-only',
  drbdUpAtBoot: false,
  needsExactNameResolution: true,
  selinux: {clusterDaemons: true, keepalivedScripts: false},
  peerChannels: (config) => {
    const port = config.pacemaker?.port ?? 5405
    const transport = config.pacemaker?.transport ?? 'knet'
    return [
      // corosync 2's udpu also sends on mcastport - 1; knet uses only its own port per link.
      {proto: 'udp', port: transport === 'udpu' ? [port - 1, port] : port, what: `corosync (${transport})`, via: 'replication', configPath: 'pacemaker.port', required: true},
      {proto: 'tcp', port: PCSD_PORT, what: 'pcsd', via: 'address', required: false, note: 'only when the cluster is managed with pcs', keepOnIsolate: true},
    ]
  },
  detectionBoundMs: (config) => tokenOf(config) + consensusMs(tokenOf(config)),
  detectionBoundWhy: (config) => `corosync token ${tokenOf(config) / 1000} s + consensus ${consensusMs(tokenOf(config)) / 1000} s`,
  maintenance: () => ({
    enter: 'crm node standby "$(uname -n)"\necho maintenance=standby',
    leave: () => 'crm node online "$(uname -n)"',
    describe: 'crm node standby on the active node',
  }),
  failsBack: (config) =>
    (config.pacemaker?.stickiness ?? 100) > 0
      ? {returns: false, why: `resource-stickiness ${config.pacemaker?.stickiness ?? 100}: resources stay where they run`}
      : {returns: true, why: 'resource-stickiness 0: resources return to the preferred node'},
  switchover: () => ({supported: false, why: 'the pacemaker stacks have no steps yet, so hapair cannot move their resources; use `crm resource move` (or `pcs resource move`) by hand'}),
  failbackPrepare: 'crm node standby "$(uname -n)"',
  failbackInject: 'crm node online "$(uname -n)"',
  rules: (c) => [...fencingRules(c), ...quorumDeviceRules(c)],
  secretRules: (config, secrets) => {
    const f = config.pacemaker?.fencing
    if (!f || f === 'none') return []
    return f.devices
      .filter((d) => !secrets.fencePasswords?.[d.node])
      .map((d) => ({
        path: `fencePasswords.${d.node}`,
        message: `is missing: the BMC password for fencing ${d.node} (${d.username}@${d.ip}) lives in the secrets file, not the cluster file`,
        fix: `add \`fencePasswords:\` with \`  ${d.node}: "<password>"\` to the secrets file (it stays mode 0600)`,
      }))
  },
}

/** One fence device per cluster node, for the nodes of this file; its BMC is neither a node nor the VIP. */
function fencingRules(c: LooseConfig): ConfigProblem[] {
  const f = c.pacemaker?.fencing
  if (!f || typeof f !== 'object' || !Array.isArray(f.devices)) return []
  const names = (Array.isArray(c.nodes) ? c.nodes : []).map((n) => n?.name).filter((n): n is string => typeof n === 'string')
  const out: ConfigProblem[] = []
  f.devices.forEach((d, i) => {
    if (typeof d?.node === 'string' && !names.includes(d.node)) {
      out.push({path: `pacemaker.fencing.devices[${i}].node`, message: `${d.node} is not a node of this cluster (${names.join(', ')})`, fix: 'name the node this BMC powers off, as in `nodes`'})
    }
    const own = (Array.isArray(c.nodes) ? c.nodes : []).find((n) => n && isIP(d?.ip) && (n.address === d.ip || n.ip === d.ip || n.replicationAddress === d.ip))
    if (own || (isIP(d?.ip) && d.ip === c.vip?.address)) {
      out.push({path: `pacemaker.fencing.devices[${i}].ip`, message: `${d.ip} is ${own ? `${own.name}'s own address` : 'the VIP'}, not a BMC; fencing must reach a controller that works while the node's system is down`, fix: "give the BMC's address (iLO, iDRAC, IPMI over LAN)"})
    }
  })
  out.push(...duplicateValues(f.devices.map((d, i) => ({path: `pacemaker.fencing.devices[${i}].node`, value: typeof d?.node === 'string' ? d.node : undefined})), 'fenced node', 'list one device per node'))
  for (const name of names) {
    if (!f.devices.some((d) => d?.node === name)) {
      out.push({path: 'pacemaker.fencing.devices', message: `has no device for ${name}; the other node could not fence it, and pacemaker would stop all resources rather than take over`, fix: `add \`{ node: ${name}, ip: <its BMC address>, username: <BMC user> }\``})
    }
  }
  return out
}

/** The quorum device is a third machine: a node or the VIP would vote with one side of a split. */
function quorumDeviceRules(c: LooseConfig): ConfigProblem[] {
  const host = c.pacemaker?.quorumDevice?.host
  if (typeof host !== 'string') return []
  const nodes = Array.isArray(c.nodes) ? c.nodes : []
  const own = nodes.find((n) => n && (n.address === host || n.ip === host || n.replicationAddress === host || n.name === host))
  if (!own && host !== c.vip?.address) return []
  return [{path: 'pacemaker.quorumDevice.host', message: `${host} is ${own ? `the node ${own.name}` : 'the VIP'}; the quorum device must be a third machine both nodes reach`, fix: 'run corosync-qnetd on a third machine (the drill client, a monitoring host) and name it here'}]
}
