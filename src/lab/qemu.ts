/** The qemu command line of a lab guest, as a pure function of where its files are. */
import {createHash} from 'node:crypto'
import type {GuestSpec} from './topology.js'

export type Accel = 'tcg' | 'kvm'

export interface GuestLaunch {
  guest: GuestSpec
  accel: Accel
  memoryMiB: number
  kernel: string
  initrd: string
  overlay: string
  data: string
  seed: string
  pidFile: string
  qmpSocket: string
  serialLog: string
  /** -S: the vCPU does not start (a checkpoint's loadvm follows). */
  stopped?: boolean
}

/** Stable per guest, so a power cycle keeps the same identity (systemd reads it before any seed). */
export function machineId(name: string): string {
  return createHash('md5').update(`hapair-lab:${name}`).digest('hex')
}

export function kernelCmdline(guest: GuestSpec): string {
  return [
    'console=ttyS0',
    'net.ifnames=0', // the NIC is eth0, as the cluster file says
    `systemd.hostname=${guest.name}`,
    `systemd.machine_id=${machineId(guest.name)}`,
    'systemd.firstboot=off', // never wait for answers on the serial console
    // Under TCG the TSC runs on after a checkpoint restore as if the guest had kept running
    // (measured: uptime jumped by the time between save and restore), so heartbeat saw a "late
    // heartbeat" of minutes on both nodes and both took the resources. The HPET's counter is
    // saved with the machine and continues from where it stopped.
    'clocksource=hpet',
  ].join(' ')
}

/** NIC device id: QMP set_link on it drops the guest's carrier (a pulled cable). */
export const NIC_ID = 'nic0'

export function qemuArgv(l: GuestLaunch): string[] {
  return [
    'qemu-system-x86_64',
    '-name', l.guest.name,
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-accel', l.accel,
    '-m', String(l.memoryMiB), '-smp', '1',
    '-kernel', l.kernel, '-initrd', l.initrd, '-append', kernelCmdline(l.guest),
    // Drive order gives the guest names: vda root overlay, vdb the blank data disk, vdc the seed.
    '-drive', `file=${l.overlay},if=virtio,format=qcow2`,
    '-drive', `file=${l.data},if=virtio,format=qcow2`, // qcow2: savevm needs every writable disk to be
    '-drive', `file=${l.seed},if=virtio,format=raw,readonly=on`,
    '-netdev', `tap,id=n0,ifname=${l.guest.tap},script=no,downscript=no`,
    '-device', `virtio-net-pci,netdev=n0,mac=${l.guest.mac},id=${NIC_ID}`,
    '-device', 'virtio-rng-pci',
    '-chardev', `file,id=serial0,path=${l.serialLog},append=on`,
    '-serial', 'chardev:serial0',
    '-qmp', `unix:${l.qmpSocket},server=on,wait=off`,
    '-daemonize', '-pidfile', l.pidFile,
    ...(l.stopped ? ['-S'] : []),
  ]
}
