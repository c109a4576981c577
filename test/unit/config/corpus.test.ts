/**
 * The bad-file corpus: each file under test/fixtures/config/bad starts with `# expect: a, b` listing
 * exactly the paths its problems must name (`(file)` for a whole-file problem). Every file must fail
 * with a ConfigError (exit 2), report exactly those paths, and give every problem a fix.
 * Every good file must load with its defaults applied.
 */
import assert from 'node:assert/strict'
import {mkdtemp, copyFile, readdir, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {loadCluster, parseClusterText} from '../../../src/config/load.js'
import {ConfigError} from '../../../src/errors.js'

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/config/', import.meta.url))

async function corpus(dir: string): Promise<string[]> {
  return (await readdir(join(FIXTURES, dir))).filter((f) => f.endsWith('.yaml')).sort()
}

describe('bad cluster files', async () => {
  const files = await corpus('bad')
  it('the corpus is there', () => assert.ok(files.length >= 40, `only ${files.length} bad files`))

  for (const name of files) {
    it(`${name} reports exactly its expected paths`, async () => {
      const text = await readFile(join(FIXTURES, 'bad', name), 'utf8')
      const header = /^# expect: (.*)$/m.exec(text)
      assert.ok(header, `${name} has no "# expect:" line`)
      const expected = [...new Set(header[1].split(',').map((s) => s.trim()))].sort()

      const {config, problems} = parseClusterText(text)
      assert.equal(config, undefined)
      const reported = [...new Set(problems.map((p) => p.path || '(file)'))].sort()
      assert.deepEqual(reported, expected, problems.map((p) => `${p.path}: ${p.message}`).join('\n'))
      for (const p of problems) {
        assert.ok(p.fix && p.fix.length > 10, `${p.path}: no fix`)
        assert.ok(p.message.length > 5 && !/^Invalid input$/.test(p.message), `${p.path}: unhelpful message ${p.message}`)
        // Whatever has a place in the file is pointed at.
        if (p.path === '') continue
      }
    })
  }

  it('loadCluster throws a ConfigError with exit code 2 for a bad file, before creating secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hapair-corpus-'))
    await copyFile(join(FIXTURES, 'bad', 'everything-wrong.yaml'), join(dir, 'hapair.yaml'))
    const error = await loadCluster(join(dir, 'hapair.yaml')).then(
      () => assert.fail('loaded a bad file'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof ConfigError)
    assert.equal(error.exitCode, 2)
    assert.ok(error.problems.length >= 10)
    assert.deepEqual(await readdir(dir), ['hapair.yaml'], 'no secrets file for a bad cluster file')
  })
})

describe('good cluster files', async () => {
  const files = await corpus('good')
  for (const name of files) {
    it(`${name} loads cleanly`, async () => {
      const {config, problems} = parseClusterText(await readFile(join(FIXTURES, 'good', name), 'utf8'))
      assert.deepEqual(problems, [])
      assert.ok(config)
      assert.equal(config.nodes.length, 2)
      // Defaults are applied.
      for (const node of config.nodes) assert.ok(node.ssh.user && node.ssh.port && node.ssh.connectTimeout)
      assert.ok(config.drbd.port && config.drbd.protocol && config.drill.timeoutSeconds)
    })
  }
})
