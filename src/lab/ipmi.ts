/**
 * A real BMC per lab guest, for the pacemaker stack's fencing: OpenIPMI's `ipmi_sim` serves IPMI
 * over LAN on the lab network (the address the cluster file's fence device names), and QEMU's
 * `ipmi-bmc-extern` device connects the guest to it (a KCS interface inside the guest, as on a
 * real board). fence_ipmilan on the other node drives it exactly as it drives an iLO or iDRAC.
 *
 * Power: ipmi_sim runs `startcmd` to power a machine on and counts it powered while that process
 * lives; to power off it asks the VM over the serial link, then SIGTERMs the process. The lab's
 * startcmd is the power hook (renderPowerHook): it starts the guest's qemu if it does not run,
 * lives as long as qemu does, and on SIGTERM kills qemu outright (a pulled plug, which is what
 * fencing must be). ipmi_sim stopping does not stop the hook; `lab down` ends both by pid.
 *
 * Everything here is a pure function of the guest and the lab's paths; lab up writes the files
 * and starts the processes (not wired yet: docs/pacemaker.md).
 */
import {shq} from '../facts/fact.js'
import {GUESTS, type GuestSpec} from './topology.js'

export interface BmcSpec {
  guest: string
  /** IPMI over LAN, on the lab bridge (NETNS_SWITCH). */
  address: string
  port: number
  /** Where the guest's qemu connects its ipmi-bmc-extern chardev (loopback in NETNS_SWITCH). */
  serialPort: number
  user: string
  /**
   * RMCP+ cipher suite for fence_ipmilan (the cluster file's `cipher`): ipmi_sim offers up to 3
   * (SHA-1) and does not answer "Get Channel Cipher Suites", on which ipmitool's default (17)
   * first waits 10 s per call.
   */
  cipher: number
}

/** node1's BMC at .201, node2's at .202: outside the guests', the client's and the VIP's addresses. */
export const BMCS: readonly BmcSpec[] = GUESTS.map((g, i) => ({guest: g.name, address: `192.168.77.${201 + i}`, port: 623, serialPort: 9002 + 10 * i, user: 'admin', cipher: 3}))

export function bmcFor(guest: string): BmcSpec {
  const bmc = BMCS.find((b) => b.guest === guest)
  if (!bmc) throw new Error(`no BMC for lab guest "${guest}" (the lab has ${BMCS.map((b) => b.guest).join(', ')})`)
  return bmc
}

/** IPMI 1.5 keeps 16 bytes of password; lan.conf quotes it without escapes. */
const BMC_PASSWORD = /^[A-Za-z0-9._-]{1,16}$/
/** Paths and names that go inside lan.conf's double quotes. */
const QUOTABLE = /^[A-Za-z0-9._/@+:-]+$/

function quoted(what: string, value: string): string {
  if (!QUOTABLE.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot go into lan.conf (letters, digits and . _ / @ + : - only)`)
  return `"${value}"`
}

/**
 * lan.conf for one guest's BMC (ipmi_lan(5)): one LAN channel with RMCP+ (lanplus) on the BMC's
 * address, the VM serial link qemu connects to, the power hook as startcmd (started at once:
 * the guest runs when its BMC starts), and one admin user. poweroff_wait is short: fencing wants
 * the plug pulled, not a courteous shutdown.
 */
export function renderIpmiLanConf(bmc: BmcSpec, opts: {password: string; powerHook: string}): string {
  if (!BMC_PASSWORD.test(opts.password)) throw new Error('the BMC password must be 1-16 letters, digits or . _ -')
  return `# managed by hapair lab: the BMC of ${bmc.guest} (ipmi_sim)
name ${quoted('BMC name', `bmc-${bmc.guest}`)}
set_working_mc 0x20
  startlan 1
    addr ${bmc.address} ${bmc.port}
    priv_limit admin
    allowed_auths_callback md5
    allowed_auths_user md5
    allowed_auths_operator md5
    allowed_auths_admin md5
    guid ${bmcGuid(bmc.guest)}
  endlan
  # qemu's ipmi-bmc-extern connects here (chardev socket, loopback of the lab's switch namespace).
  serial 15 127.0.0.1 ${bmc.serialPort} codec VM
  startcmd ${quoted('power hook', opts.powerHook)}
  startnow true
  poweroff_wait 1
  kill_wait 5
  user 2 true ${quoted('BMC user', bmc.user)} "${opts.password}" admin 10 md5
`
}

/** 32 hex digits, stable per guest. */
export function bmcGuid(guest: string): string {
  return Buffer.from(`hapair-bmc-${guest}`.padEnd(16, '-').slice(0, 16)).toString('hex')
}

/** The management controller ipmi_sim simulates: a BMC with a chassis and an event log, nothing else. */
export function renderIpmiEmu(): string {
  return `# managed by hapair lab: one BMC (ipmi_sim_cmd(5))
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
`
}

/** ipmi_sim's command line: no console on stdio, no persistent state (lan.conf's user is the truth). */
export function ipmiSimArgv(paths: {lanConf: string; emu: string; stateDir: string}): string[] {
  return ['ipmi_sim', '-c', paths.lanConf, '-f', paths.emu, '-s', paths.stateDir, '-n', '-p']
}

/** What a guest's qemu adds to talk to its BMC: the chardev to ipmi_sim and a KCS interface on ISA. */
export function qemuIpmiArgv(bmc: BmcSpec): string[] {
  return [
    '-chardev', `socket,id=ipmi0,host=127.0.0.1,port=${bmc.serialPort},reconnect=10`,
    '-device', 'ipmi-bmc-extern,chardev=ipmi0,id=bmc0',
    '-device', 'isa-ipmi-kcs,bmc=bmc0',
  ]
}

/**
 * The machine as ipmi_sim sees it: powered while this script lives. It starts the guest when it is
 * not running (`powerOn`, which must leave the pid in `pidFile`: qemu -daemonize -pidfile does),
 * waits while it runs, and on SIGTERM or SIGINT (ipmi_sim's power off) kills it with SIGKILL.
 * A guest that stops by itself (shutdown in the guest) ends the script: power reads off.
 */
export function renderPowerHook(opts: {guest: GuestSpec | {name: string}; pidFile: string; powerOn: string[]; log: string}): string {
  const pid = shq(opts.pidFile)
  const log = shq(opts.log)
  return `#!/bin/sh
# managed by hapair lab: power of ${opts.guest.name} for its BMC (ipmi_sim startcmd)
alive() { [ -s ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null; }
off() {
  if alive; then kill -KILL "$(cat ${pid})"; echo "$(date -u +%FT%TZ) power off: killed $(cat ${pid})" >> ${log}; fi
  rm -f ${pid}
  exit 0
}
trap off TERM INT
if ! alive; then
  echo "$(date -u +%FT%TZ) power on" >> ${log}
  ${opts.powerOn.map(shq).join(' ')} >> ${log} 2>&1 || { echo "$(date -u +%FT%TZ) power on failed" >> ${log}; exit 1; }
fi
while alive; do sleep 1 & wait $!; done
echo "$(date -u +%FT%TZ) ${opts.guest.name} stopped by itself" >> ${log}
`
}

/** fence_ipmilan as pacemaker runs it, for a check from the host: `-o status` against one BMC. */
export function fenceStatusArgv(bmc: BmcSpec, passwordFile: string): string[] {
  return ['fence_ipmilan', '--ip', bmc.address, '--ipport', String(bmc.port), '--username', bmc.user, '--password-script', `cat ${passwordFile}`, '--lanplus', '--cipher', String(bmc.cipher), '--action', 'status']
}
