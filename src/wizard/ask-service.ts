/**
 * The wizard's questions about what the cluster serves: the VIP and its interface, the disk and
 * partition size (checked against what both nodes reported), DRBD, the filesystem, an LVS pool.
 */
import {nodeIp} from '../config/address.js'
import {inSubnet, isIPv4, subnetOf} from '../config/net.js'
import {parseSize, formatSize, sizeAmbiguity} from '../config/size.js'
import {SYSTEM_DIRS} from '../config/validate.js'
import {DEFAULTS, type InitAnswers} from './answers.js'
import type {ReachedNode} from './ask-node.js'
import {checkDiskAnswer, checkInterfaceAnswer, checkSizeAnswer} from './check-answers.js'
import {nicFor, suggestDisk, suggestVip} from './discover.js'
import {parseSpec, parseVip, type InitFlags} from './flags.js'
import type {Choice, Prompter} from './prompter.js'

export async function askVip(p: Prompter, d: InitFlags, n1: ReachedNode, n2: ReachedNode): Promise<InitAnswers['vip']> {
  const [ip1, ip2] = [nodeIp(n1), nodeIp(n2)]
  const nic1 = nicFor(n1.discovery?.nics, ip1)
  const nic2 = nicFor(n2.discovery?.nics, ip2)
  const given = d.vip ? parseVip(d.vip, []) : undefined
  const detected = nic1?.prefix ?? nic2?.prefix
  const address = await p.input({
    message: 'Floating IP (VIP) clients will use: a third, unused address on the nodes\' network',
    default: given?.address ?? suggestVip(ip1, detected ?? 24, [ip1, ip2]),
    validate: (v) => {
      if (!isIPv4(v)) return 'an IPv4 address like 192.168.1.200'
      if (v === ip1 || v === ip2) return 'that is a node\'s own address; the VIP must be a third one'
      if (detected !== undefined && !inSubnet(ip1, v, detected)) return `not on the nodes' network ${subnetOf(ip1, detected)}`
      return true
    },
  })
  const prefix = Number(
    await p.input({
      message: 'Its network prefix length',
      default: String(given?.prefix ?? detected ?? 24),
      validate: (v) => {
        const ok = intIn(1, 32)(v)
        if (ok !== true) return ok
        const missing = [n1, n2].filter((n) => !inSubnet(nodeIp(n), address, Number(v)))
        return missing.length === 0 || `${address}/${v} does not contain ${missing.map((n) => `${n.name} (${nodeIp(n)})`).join(' or ')}`
      },
    }),
  )
  if (nic1 && nic2 && nic1.name !== nic2.name) {
    p.say(`Note: ${n1.name} has its address on ${nic1.name}, ${n2.name} on ${nic2.name}; the cluster file names one interface for both, so give them the same name (a systemd .link file) first.`)
  }
  const iface = await p.input({
    message: 'Network interface that carries the VIP',
    default: d.interface ?? nic1?.name ?? nic2?.name ?? 'eth0',
    validate: (v) => (!/^[a-zA-Z0-9_.:-]{1,15}$/.test(v) ? 'an interface name like eth0' : checkInterfaceAnswer(v, [n1, n2].map((n) => ({name: n.name, nics: n.discovery?.nics})))),
  })
  return {address, prefix, interface: iface}
}

export async function askStorage(p: Prompter, d: InitFlags, n1: ReachedNode, n2: ReachedNode): Promise<NonNullable<InitAnswers['storage']>> {
  const OTHER = '\u0000other'
  let disk: string | undefined
  const lists = [n1.discovery?.disks, n2.discovery?.disks]
  if (lists.some(Boolean)) {
    const paths = [...new Set(lists.flatMap((l) => (l ?? []).map((x) => x.path)))].sort()
    const choices: Choice<string>[] = paths.map((path) => {
      const states = [n1, n2].map((n, i) => ({node: n.name, known: Boolean(lists[i]), disk: lists[i]?.find((x) => x.path === path)}))
      const missing = states.filter((s) => s.known && !s.disk)
      const root = states.find((s) => s.disk?.root)
      const busy = states.filter((s) => s.disk && !s.disk.blank)
      const size = Math.min(...states.map((s) => s.disk?.sizeBytes ?? Infinity))
      return {
        value: path,
        name: `${path}  ${formatSize(size)}${busy.length === 0 ? '  blank' : ''}`,
        ...(root ? {disabled: `holds ${root.node}'s root filesystem`} : missing.length ? {disabled: `not on ${missing.map((s) => s.node).join(', ')}`} : {}),
        ...(busy.length && !root && {description: `holds data (${busy.map((s) => `${s.node}: ${s.disk!.inUse.join(', ')}`).join('; ')}); hapair will not touch it without --wipe`}),
      }
    })
    choices.push({value: OTHER, name: 'another device (type its path)'})
    const suggested = d.disk ?? suggestDisk(lists[0], lists[1])
    disk = await p.select({message: 'Disk to replicate with DRBD (the same path on both nodes)', choices, default: suggested && paths.includes(suggested) ? suggested : undefined})
    if (disk === OTHER) disk = undefined
  }
  const known = [n1, n2].map((n, i) => ({name: n.name, disks: lists[i]}))
  disk ??= await p.input({message: 'Disk to replicate with DRBD (the same path on both nodes)', default: d.disk ?? '/dev/sdb', validate: (v) => (!v.startsWith('/dev/') ? 'a device path like /dev/sdb' : checkDiskAnswer(v, known))})
  const chosenDisk = disk
  const size = await p.input({
    message: 'Size of the DRBD partition ("rest" for the whole remaining disk, or e.g. 10G)',
    default: d.size ?? DEFAULTS.size,
    validate: (v) => {
      const ambiguous = sizeAmbiguity(v)
      if (ambiguous) return `${ambiguous.message}; ${ambiguous.fix}`
      if (v !== 'rest' && (parseSize(v) ?? 0) < 16 * 2 ** 20) return 'rest, or a size of at least 16M like 10G or 10GiB'
      return checkSizeAnswer(v, chosenDisk, known)
    },
  })
  return {disk, size}
}

export async function askDrbd(p: Prompter): Promise<InitAnswers['drbd']> {
  const {resource, port, protocol} = DEFAULTS.drbd
  if (await p.confirm({message: `DRBD: resource ${resource} on /dev/drbd0, port ${port}, protocol ${protocol} (a write completes on both nodes). Keep these?`, default: true})) return {}
  return {
    resource: await p.input({message: 'DRBD resource name', default: resource, validate: (v) => /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/.test(v) || 'letters, digits, _ . -'}),
    port: Number(await p.input({message: 'DRBD replication port (TCP)', default: String(port), validate: intIn(1, 65535)})),
    protocol: await p.select<'A' | 'B' | 'C'>({
      message: 'DRBD protocol',
      choices: [
        {value: 'C', name: 'C: synchronous; a write completes once both disks have it (no data loss on failover)'},
        {value: 'B', name: 'B: semi-synchronous; complete once the peer has received it'},
        {value: 'A', name: 'A: asynchronous; complete once sent (fast, may lose the last writes)'},
      ],
      default: 'C',
    }),
  }
}

export async function askFilesystem(p: Prompter, d: InitFlags): Promise<NonNullable<InitAnswers['filesystem']>> {
  const type = await p.select<'ext4' | 'xfs'>({message: 'Filesystem on the DRBD device', choices: [{value: 'ext4'}, {value: 'xfs'}], default: (d['fs-type'] as 'ext4' | 'xfs' | undefined) ?? 'ext4'})
  const mountPoint = await p.input({
    message: 'Mount point (the same on both nodes)',
    default: d.mount ?? DEFAULTS.mountPoint,
    validate: (v) => (!/^\/[^\s]*[^/]$/.test(v) ? 'an absolute path like /data' : SYSTEM_DIRS.has(v) ? 'a system directory; use a directory of its own like /data' : true),
  })
  return {type, mountPoint}
}

export async function askLvs(p: Prompter, d: InitFlags, taken: string[]): Promise<NonNullable<InitAnswers['lvs']>> {
  const port = Number(await p.input({message: 'Service port the directors balance (TCP)', default: '80', validate: intIn(1, 65535)}))
  const scheduler = await p.select<'rr' | 'wrr' | 'lc' | 'wlc' | 'sh' | 'dh'>({
    message: 'Scheduler',
    choices: [
      {value: 'rr', name: 'rr: round robin'},
      {value: 'wrr', name: 'wrr: weighted round robin'},
      {value: 'lc', name: 'lc: least connections'},
      {value: 'wlc', name: 'wlc: weighted least connections'},
      {value: 'sh', name: 'sh: source hashing (a client sticks to one server)'},
      {value: 'dh', name: 'dh: destination hashing'},
    ],
    default: 'rr',
  })
  const realServers: {name: string; address: string}[] = (d['real-server'] ?? []).map((spec) => parseSpec('', spec, ['name', 'address'] as const, [])).filter((s): s is {name: string; address: string} => Boolean(s.name && s.address))
  // A pool needs two real servers at least (the schema refuses fewer); more are asked for.
  while (realServers.length < 2 || (await p.confirm({message: 'Add another real server?', default: false}))) {
    const n = realServers.length + 1
    const name = await p.input({message: `Real server ${n}: name`, default: `web${n}`, validate: (v) => /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(v) || 'a short host name'})
    const address = await p.input({
      message: `Real server ${n}: address`,
      validate: (v) => (!isIPv4(v) ? 'an IPv4 address' : [...taken, ...realServers.map((s) => s.address)].includes(v) ? 'already used by a director, the VIP or another real server' : true),
    })
    realServers.push({name, address})
  }
  return {port, scheduler, realServers}
}

export function intIn(min: number, max: number): (v: string) => true | string {
  return (v) => (/^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max) || `a whole number from ${min} to ${max}`
}
