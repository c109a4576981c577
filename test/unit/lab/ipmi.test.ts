/**
 * The lab's BMCs: lan.conf, the emulator file, qemu's IPMI argv and the power hook as pure
 * functions; then a real ipmi_sim on loopback, its startcmd the real power hook over a dummy
 * machine (a sleep standing in for qemu), driven by the real fence_ipmilan with the password
 * read through --password-script, as pacemaker's stonith device does. No guest is booted.
 */
import {describe, it, after} from 'node:test'
import assert from 'node:assert/strict'
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {createSocket} from 'node:dgram'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {requirePrereq, skipUnlessCI} from '../../helpers/prereq.js'
import {BMCS, bmcFor, fenceStatusArgv, ipmiSimArgv, qemuIpmiArgv, renderIpmiEmu, renderIpmiLanConf, renderPowerHook, type BmcSpec} from '../../../src/lab/ipmi.js'
import {RESERVED_ADDRESSES} from '../../../src/lab/topology.js'

describe('BMC files and argv (pure)', () => {
  it('one BMC per cluster guest, on the lab network, clear of every reserved address', () => {
    assert.deepEqual(BMCS.map((b) => [b.guest, b.address, b.port, b.serialPort]), [['node1', '192.168.77.201', 623, 9002], ['node2', '192.168.77.202', 623, 9012]])
    assert.ok(BMCS.every((b) => !RESERVED_ADDRESSES.includes(b.address)))
    assert.throws(() => bmcFor('client1'), /no BMC/)
  })
  it('lan.conf: RMCP+ on the BMC address, the VM serial link, the power hook started at once, one admin user', () => {
    const text = renderIpmiLanConf(bmcFor('node1'), {password: 'labpass', powerHook: '/var/lib/hapair-lab/bmc/node1/power'})
    for (const line of ['name "bmc-node1"', 'addr 192.168.77.201 623', 'priv_limit admin', 'serial 15 127.0.0.1 9002 codec VM', 'startcmd "/var/lib/hapair-lab/bmc/node1/power"', 'startnow true', 'poweroff_wait 1', 'user 2 true "admin" "labpass" admin 10 md5']) {
      assert.ok(text.includes(line), line)
    }
    assert.match(text, /guid [0-9a-f]{32}\n/)
    assert.throws(() => renderIpmiLanConf(bmcFor('node1'), {password: 'has space', powerHook: '/x'}), /password/)
    assert.throws(() => renderIpmiLanConf(bmcFor('node1'), {password: 'ok', powerHook: '/x"; startcmd "/bin/evil'}), /cannot go into lan.conf/)
  })
  it('qemu: a chardev to ipmi_sim, ipmi-bmc-extern and a KCS interface on ISA', () => {
    assert.deepEqual(qemuIpmiArgv(bmcFor('node2')), [
      '-chardev', 'socket,id=ipmi0,host=127.0.0.1,port=9012,reconnect=10',
      '-device', 'ipmi-bmc-extern,chardev=ipmi0,id=bmc0',
      '-device', 'isa-ipmi-kcs,bmc=bmc0',
    ])
    assert.deepEqual(ipmiSimArgv({lanConf: '/l', emu: '/e', stateDir: '/s'}), ['ipmi_sim', '-c', '/l', '-f', '/e', '-s', '/s', '-n', '-p'])
    assert.match(renderIpmiEmu(), /mc_setbmc 0x20\nmc_add 0x20 .*\nsel_enable 0x20 1000 0x0a\nmc_enable 0x20\n/)
  })
  it('the power hook: starts the guest only when it is not running, kills it outright on SIGTERM, and is valid sh', () => {
    const hook = renderPowerHook({guest: {name: 'node1'}, pidFile: '/run/q/node1.pid', powerOn: ['hapair', 'lab', 'up', 'node1'], log: '/tmp/l'})
    assert.match(hook, /trap off TERM INT\nif ! alive; then/)
    assert.match(hook, /kill -KILL "\$\(cat '\/run\/q\/node1.pid'\)"/)
    assert.ok(hook.includes("'hapair' 'lab' 'up' 'node1' >> '/tmp/l' 2>&1"))
    assert.equal(spawnSync('sh', ['-n'], {input: hook}).status, 0)
  })
})

const missingTools = ['ipmi_sim', 'fence_ipmilan', 'ipmitool'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0)

/** A free UDP port on loopback (bound, read, released: ipmi_sim binds it next). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const {port} = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/** Running: a process that exists and is not a zombie (a killed sleep may wait a while for its new parent to reap it). */
const isAlive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

describe('a real ipmi_sim on loopback, fenced by the real fence_ipmilan', {skip: skipUnlessCI(missingTools.length > 0 && `${missingTools.join(', ')} (openipmi, fence-agents, ipmitool)`)}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-bmc-'))
  const pidFile = join(dir, 'machine.pid')
  let sim: ChildProcess | undefined
  after(() => {
    if (sim?.pid) process.kill(sim.pid, 'SIGTERM')
    // The hook ends by itself once its machine is gone.
    if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL')
    rmSync(dir, {recursive: true, force: true})
  })
  let bmc: BmcSpec
  const fence = (action: string, password = 'passwordfile') => {
    const argv = fenceStatusArgv(bmc, join(dir, password)).map((a) => (a === 'status' ? action : a))
    const r = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', timeout: 60_000})
    return {code: r.status, out: `${r.stdout}${r.stderr}`}
  }

  it('starts, and powers the machine on at once (startnow)', async () => {
    requirePrereq(missingTools.length > 0 && missingTools.join(', '))
    bmc = {...bmcFor('node1'), address: '127.0.0.1', port: await freeUdpPort()}
    const hook = join(dir, 'power')
    // The dummy machine: a sleep that records its pid, as qemu -daemonize -pidfile does.
    writeFileSync(hook, renderPowerHook({guest: {name: 'node1'}, pidFile, powerOn: ['sh', '-c', `sleep 100000 >/dev/null 2>&1 & echo $! > ${pidFile}`], log: join(dir, 'power.log')}))
    chmodSync(hook, 0o755)
    writeFileSync(join(dir, 'lan.conf'), renderIpmiLanConf(bmc, {password: 'fencepw', powerHook: hook}))
    writeFileSync(join(dir, 'bmc.emu'), renderIpmiEmu())
    writeFileSync(join(dir, 'passwordfile'), 'fencepw\n', {mode: 0o400})
    writeFileSync(join(dir, 'wrongfile'), 'wrong\n', {mode: 0o400})
    mkdirSync(join(dir, 'state'))
    const [cmd, ...args] = ipmiSimArgv({lanConf: join(dir, 'lan.conf'), emu: join(dir, 'bmc.emu'), stateDir: join(dir, 'state')})
    sim = spawn(cmd, args, {stdio: 'ignore'})
    // Until it answers: each try is a whole fence_ipmilan run with its own timeouts.
    let status = fence('status')
    for (let i = 0; i < 10 && !/Status: ON/.test(status.out); i++) status = fence('status')
    assert.match(status.out, /Status: ON/)
    assert.equal(status.code, 0)
    assert.ok(isAlive(Number(readFileSync(pidFile, 'utf8'))))
  })

  it('off pulls the plug: the machine process is gone and the status reads OFF', () => {
    const machine = Number(readFileSync(pidFile, 'utf8'))
    const off = fence('off')
    assert.equal(off.code, 0, off.out)
    assert.match(off.out, /Success: Powered OFF/)
    assert.equal(isAlive(machine), false)
    assert.match(fence('status').out, /Status: OFF/)
    assert.match(readFileSync(join(dir, 'power.log'), 'utf8'), /power off: killed \d+/)
  })

  it('on starts a new machine through the hook', () => {
    const on = fence('on')
    assert.equal(on.code, 0, on.out)
    assert.match(on.out, /Success: Powered ON/)
    assert.ok(isAlive(Number(readFileSync(pidFile, 'utf8'))))
    assert.equal((readFileSync(join(dir, 'power.log'), 'utf8').match(/power on\n/g) ?? []).length, 2)
  })

  it('a wrong password is refused (exit 1), the machine untouched', () => {
    const wrong = fence('status', 'wrongfile')
    assert.equal(wrong.code, 1)
    assert.ok(isAlive(Number(readFileSync(pidFile, 'utf8'))))
  })
})
