import {test} from 'node:test'
import assert from 'node:assert/strict'
import {kernelCmdline, machineId, qemuArgv, NIC_ID} from '../../../src/lab/qemu.js'
import {GUESTS} from '../../../src/lab/topology.js'

const launch = {
  guest: GUESTS[0], accel: 'tcg' as const, memoryMiB: 512,
  kernel: '/c/vmlinuz', initrd: '/c/initrd.img',
  overlay: '/l/node1/root.qcow2', data: '/l/node1/data.qcow2', seed: '/l/node1/seed.img',
  pidFile: '/l/node1/qemu.pid', qmpSocket: '/l/node1/qmp.sock', serialLog: '/l/node1/serial.log',
}
const after = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag)

test('drives are ordered root, data, seed so the guest sees vda, vdb, vdc', () => {
  const drives = after(qemuArgv(launch), '-drive')
  assert.deepEqual(drives.map((d) => d.split(',')[0]), ['file=/l/node1/root.qcow2', 'file=/l/node1/data.qcow2', 'file=/l/node1/seed.img'])
  assert.match(drives[0], /format=qcow2/)
  assert.match(drives[1], /format=qcow2/) // savevm refuses a machine with a writable raw disk
  assert.match(drives[2], /format=raw/) // read-only, so savevm leaves it out
  assert.match(drives[2], /readonly=on/)
})

test('the NIC uses the guest tap and MAC, with an id QMP set_link can name', () => {
  const argv = qemuArgv(launch)
  assert.deepEqual(after(argv, '-netdev'), ['tap,id=n0,ifname=tap1,script=no,downscript=no'])
  assert.ok(after(argv, '-device').includes(`virtio-net-pci,netdev=n0,mac=52:54:00:77:00:11,id=${NIC_ID}`))
})

test('qemu daemonizes with a pid file, a QMP socket, 1 vCPU, the chosen accelerator', () => {
  const argv = qemuArgv({...launch, accel: 'kvm'})
  assert.equal(argv[0], 'qemu-system-x86_64')
  assert.deepEqual(after(argv, '-pidfile'), ['/l/node1/qemu.pid'])
  assert.deepEqual(after(argv, '-qmp'), ['unix:/l/node1/qmp.sock,server=on,wait=off'])
  assert.deepEqual(after(argv, '-accel'), ['kvm'])
  assert.deepEqual(after(argv, '-smp'), ['1'])
  assert.deepEqual(after(argv, '-m'), ['512'])
  assert.ok(argv.includes('-daemonize'))
  assert.ok(!argv.includes('-S'), 'a normal start runs the vCPU')
  assert.ok(qemuArgv({...launch, stopped: true}).includes('-S'), 'a start for a loadvm keeps it stopped')
})

test('kernel command line: eth0 naming, hostname, stable distinct machine ids, no firstboot prompt, a clock that survives a checkpoint restore', () => {
  const cmdline = kernelCmdline(GUESTS[1])
  assert.match(cmdline, /\bnet\.ifnames=0\b/)
  assert.match(cmdline, /\bsystemd\.hostname=node2\b/)
  assert.match(cmdline, /\bsystemd\.firstboot=off\b/)
  assert.match(cmdline, /\bconsole=ttyS0\b/)
  assert.match(cmdline, /\bclocksource=hpet\b/)
  assert.match(machineId('node1'), /^[0-9a-f]{32}$/)
  assert.equal(machineId('node1'), machineId('node1'))
  assert.notEqual(machineId('node1'), machineId('node2'))
  assert.ok(cmdline.includes(`systemd.machine_id=${machineId('node2')}`))
})
