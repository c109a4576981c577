import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {nodeReportItems, nodeReportScript, SINCE_RE} from '../../../src/report/node-collect.js'
import {STACK_DESCRIPTORS} from '../../../src/stacks/registry.js'

describe('nodeReportItems', () => {
  it("takes every unit from the stack descriptor, and DRBD and NFS items only where the stack has them", () => {
    for (const stack of STACK_DESCRIPTORS) {
      const names = nodeReportItems(stack).map((i) => i.name)
      for (const unit of [...stack.manager.units, ...stack.service.units]) {
        assert.ok(names.includes(`systemctl-status-${unit}`) && names.includes(`journal-${unit}`), `${stack.id}: ${unit}`)
      }
      assert.equal(names.includes('proc-drbd'), stack.service.usesDrbd, stack.id)
      assert.equal(names.includes('drbdadm-dump'), stack.service.usesDrbd, stack.id)
      assert.equal(names.includes('exports'), stack.service.servesNfs, stack.id)
      assert.equal(new Set(names).size, names.length, `${stack.id}: one file per item`)
    }
  })

  it('quotes --since into journalctl and accepts only plain time words', () => {
    const stack = STACK_DESCRIPTORS.find((s) => s.ready)!
    const journal = nodeReportItems(stack, {since: '2 hours ago'}).find((i) => i.name.startsWith('journal-'))!
    assert.match(journal.command, /journalctl --no-pager -u '[a-z-]+' -n 500 --since '2 hours ago'$/)
    assert.ok(SINCE_RE.test('2026-12-07 10:00:00') && SINCE_RE.test('yesterday'))
    for (const bad of ["'; reboot", '$(id)', '`id`', 'a\nb', '']) assert.ok(!SINCE_RE.test(bad), bad)
  })

  it("replaces drbdadm dump's shared-secret on the node (bash runs the real sed)", () => {
    const stack = STACK_DESCRIPTORS.find((s) => s.service.usesDrbd)!
    const dump = nodeReportItems(stack).find((i) => i.name === 'drbdadm-dump')!
    const fakeDump = '    net {\n        shared-secret    "s3cr3t-Value_x";\n        cram-hmac-alg sha256;\n    }\n'
    const script = `drbdadm() { printf '%s' ${JSON.stringify(fakeDump).replace(/^"|"$/g, "'").replace(/\\n/g, '\n')}; }\n${dump.command}`
    const out = spawnSync('bash', ['-c', script], {encoding: 'utf8'}).stdout
    assert.match(out, /shared-secret {4}"<secret>";/)
    assert.doesNotMatch(out, /s3cr3t/)
    assert.match(out, /cram-hmac-alg sha256;/)
  })
})

describe("the manager's config files", () => {
  it('are copied with their secret values replaced on the node (bash runs the real sed)', () => {
    const stack = STACK_DESCRIPTORS.find((s) => s.manager.configFiles.some((f) => f.secretKeys?.length))!
    const file = stack.manager.configFiles.find((f) => f.secretKeys?.length)!
    const item = nodeReportItems(stack).find((i) => i.command.includes(file.path))!
    assert.equal(item.name, 'file-etc-keepalived-keepalived.conf')
    const dir = mkdtempSync(join(tmpdir(), 'hapair-conf-'))
    const local = join(dir, 'keepalived.conf')
    writeFileSync(local, 'vrrp_instance x {\n    authentication {\n        auth_type PASS\n        auth_pass k8pass01\n    }\n}\n')
    const out = spawnSync('bash', ['-c', item.command.replace(file.path, local)], {encoding: 'utf8'}).stdout
    assert.match(out, /auth_pass <secret>/)
    assert.doesNotMatch(out, /k8pass01/)
    assert.match(out, /auth_type PASS/)
  })
})

describe('nodeReportScript', () => {
  it('runs each item in its own subshell and files its command, exit code and output', () => {
    const collect = nodeReportScript([{name: 'a', command: 'echo one'}, {name: 'b', command: 'echo two; exit 3'}, {name: 'c', command: 'echo three'}])
    const run = spawnSync('bash', ['-c', collect.script], {encoding: 'utf8'})
    const entries = collect.entries(run.stdout, 'node1')
    assert.deepEqual(entries.map((e) => e.path), ['node1/a.txt', 'node1/b.txt', 'node1/c.txt'])
    assert.equal(entries[1].content, '$ echo two; exit 3\n(exit 3)\n\ntwo\n')
    assert.equal(entries[2].content, '$ echo three\n(exit 0)\n\nthree\n', 'a failing item does not stop the next')
  })
})
