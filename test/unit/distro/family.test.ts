/**
 * The distro judge over os-release files of every supported release and some that are not
 * (test/fixtures/recorded/distro/os-*.json, written by record.mjs there).
 */
import {describe, it} from 'node:test'
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {osFact, type OsInfo} from '../../../src/facts/os.js'
import {familyOf, judgeDistro} from '../../../src/distro/family.js'
import {RefusalError} from '../../../src/errors.js'
import {recorded, recordedNames, RECORDED_DIR} from '../../helpers/recorded.js'

const os = (name: string): OsInfo => {
  const r = recorded('distro', `os-${name}`)
  assert.equal(r.command, osFact.command, `${name} was recorded with the current command (re-run record.mjs)`)
  return osFact.parse(r.output, 0)
}

describe('os fact over os-release files', () => {
  it('each fixture parses to its recorded fact, and its os-release lines are what bash prints from the file', () => {
    const names = recordedNames('distro').filter((n) => n.startsWith('os-'))
    assert.ok(names.length >= 16)
    for (const name of names) {
      const r = recorded('distro', name)
      assert.deepEqual(osFact.parse(r.output, 0), r.fact, name)
      const file = join(RECORDED_DIR, 'distro', r.osRelease as string)
      const line = osFact.command.split('\n')[0].replaceAll('/etc/os-release', file).replaceAll('/usr/lib/os-release', file)
      const printed = execFileSync('bash', ['--norc', '-c', line], {encoding: 'utf8', env: {PATH: process.env.PATH ?? '/usr/bin:/bin'}})
      assert.ok(r.output.startsWith(printed), `${name}: the output starts with what the command prints from ${r.osRelease}`)
    }
  })

  it('supported releases: their family, from ID and the major VERSION_ID', () => {
    const families = Object.fromEntries(
      ['debian-11', 'debian-12', 'ubuntu-22.04', 'ubuntu-24.04', 'rhel-8.10', 'rhel-9.4', 'almalinux-8.10', 'almalinux-9.4', 'rocky-8.9', 'rocky-9.4', 'centos-7'].map((n) => [n, judgeDistro(os(n))]),
    )
    assert.deepEqual(
      Object.fromEntries(Object.entries(families).map(([n, v]) => [n, v.ok && v.family])),
      {'debian-11': 'apt', 'debian-12': 'apt', 'ubuntu-22.04': 'apt', 'ubuntu-24.04': 'apt', 'rhel-8.10': 'dnf', 'rhel-9.4': 'dnf', 'almalinux-8.10': 'dnf', 'almalinux-9.4': 'dnf', 'rocky-8.9': 'dnf', 'rocky-9.4': 'dnf', 'centos-7': 'yum'},
    )
    assert.equal(families['rocky-9.4'].message, 'Rocky Linux 9.4 (Blue Onyx) (ID=rocky VERSION_ID=9.4 ID_LIKE="rhel centos fedora"), packages by dnf')
  })

  it('anything else is refused naming what was found, with the family --force-distro would likely need', () => {
    const refusal = (name: string) => {
      const v = judgeDistro(os(name))
      assert.equal(v.ok, false, name)
      return v.ok ? '' : `${v.message} | ${v.hint}`
    }
    assert.match(refusal('centos-stream-9'), /^CentOS Stream 9 \(ID=centos VERSION_ID=9 ID_LIKE="rhel fedora"\) is not a supported distribution \| .*pass --force-distro dnf \(it looks like the dnf family\)$/)
    assert.match(refusal('ubuntu-20.04'), /ID=ubuntu VERSION_ID=20\.04 .*--force-distro apt /)
    assert.match(refusal('fedora-40'), /ID=fedora VERSION_ID=40\).*--force-distro dnf /)
    assert.match(refusal('opensuse-leap-15.5'), /ID=opensuse-leap VERSION_ID=15\.5 ID_LIKE="suse opensuse"\).*hapair supports Debian 11\/12, Ubuntu 22\.04\/24\.04, RHEL\/AlmaLinux\/Rocky 8\/9, CentOS 7; .*--force-distro apt\|dnf\|yum$/)
    assert.equal(refusal('alpine-3.20'), 'Alpine Linux v3.20: PID 1 is init, not systemd | hapair starts, stops and enables services with systemctl: use a systemd-based installation')
  })

  it('--force-distro goes on with the forced family where the release is unknown, never over a supported one or a missing systemd', () => {
    assert.deepEqual(judgeDistro(os('centos-stream-9'), 'dnf'), {ok: true, family: 'dnf', forced: true, message: 'CentOS Stream 9 (ID=centos VERSION_ID=9 ID_LIKE="rhel fedora") is not supported; going on as dnf because of --force-distro'})
    assert.equal(familyOf({name: 'node1'}, os('debian-12'), 'yum'), 'apt')
    assert.throws(() => familyOf({name: 'node1'}, os('alpine-3.20'), 'apt'), (e: Error) => e instanceof RefusalError && /^node1: Alpine Linux v3\.20: PID 1 is init/.test(e.message))
    assert.throws(() => familyOf({name: 'node2'}, os('fedora-40')), (e: Error) => e instanceof RefusalError && e.message.startsWith('node2: Fedora Linux 40 (Server Edition) (ID=fedora VERSION_ID=40) is not a supported distribution'))
  })
})
