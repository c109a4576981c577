import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'
import {ConnectError} from '../../../src/errors.js'
import {expandHome, planAuth} from '../../../src/transport/ssh-auth.js'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'hapair-home-'))
  mkdirSync(join(home, '.ssh'))
})
afterEach(() => rmSync(home, {recursive: true, force: true}))

function keygen(file: string, passphrase = ''): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', file])
}

const base = {node: 'node1', user: 'root', interactive: false, agentSocket: '/nonexistent/agent.sock'}

describe('expandHome', () => {
  it('expands ~/ only', () => {
    assert.equal(expandHome('~/.ssh/id', '/home/me'), '/home/me/.ssh/id')
    assert.equal(expandHome('/etc/key', '/home/me'), '/etc/key')
  })
})

describe('planAuth', () => {
  it('offers the configured identity file (with ~) and not the default keys', () => {
    keygen(join(home, '.ssh', 'id_ed25519'))
    keygen(join(home, 'deploy'))
    const plan = planAuth({...base, identityFile: '~/deploy', home})
    assert.deepEqual(plan.offered, ['~/deploy'])
  })

  it('falls back to the default keys that exist, then a password when interactive', () => {
    keygen(join(home, '.ssh', 'id_ed25519'))
    keygen(join(home, '.ssh', 'id_rsa'))
    assert.deepEqual(planAuth({...base, home}).offered, ['~/.ssh/id_ed25519', '~/.ssh/id_rsa'])
    assert.deepEqual(planAuth({...base, home, interactive: true, askPassword: async () => 'pw'}).offered, [
      '~/.ssh/id_ed25519',
      '~/.ssh/id_rsa',
      'password',
      'keyboard-interactive',
    ])
  })

  it('offers the agent when its socket exists', () => {
    const sock = join(home, 'agent.sock')
    writeFileSync(sock, '') // existence is what counts here; ssh2 talks to it later
    assert.deepEqual(planAuth({...base, home, agentSocket: sock}).offered, ['ssh-agent'])
  })

  it('never asks for a password when not interactive', () => {
    assert.deepEqual(planAuth({...base, home, askPassword: async () => 'pw'}).offered, [])
  })

  it('a missing identity file is a clear error', () => {
    assert.throws(
      () => planAuth({...base, identityFile: '~/nope', home}),
      (error: ConnectError) => error instanceof ConnectError && /cannot read identity file .*nope/.test(error.message),
    )
  })

  it('a passphrase-protected identity file without an agent says to use ssh-add', () => {
    keygen(join(home, 'locked'), 'correct horse')
    assert.throws(
      () => planAuth({...base, identityFile: `${home}/locked`, home}),
      (error: ConnectError) => /protected by a passphrase/.test(error.message) && /ssh-add/.test(error.hint!),
    )
  })

  it('skips passphrase-protected default keys silently', () => {
    keygen(join(home, '.ssh', 'id_ed25519'), 'secret phrase')
    keygen(join(home, '.ssh', 'id_rsa'))
    assert.deepEqual(planAuth({...base, home}).offered, ['~/.ssh/id_rsa'])
  })

  it('the handler walks the offers in order, skipping methods the server does not allow, then gives up', async () => {
    keygen(join(home, '.ssh', 'id_ed25519'))
    let asked = 0
    const plan = planAuth({...base, home, interactive: true, askPassword: async () => (asked++, 'pw')})
    const step = (left: string[] | null) => new Promise<any>((resolve) => plan.handler(left as any, false, resolve))
    assert.equal((await step(null)).type, 'publickey')
    const kbd = await step(['keyboard-interactive']) // server allows only keyboard-interactive now
    assert.equal(kbd.type, 'keyboard-interactive')
    const answers = await new Promise((resolve) => kbd.prompt('', '', '', [{prompt: 'Password: ', echo: false}], resolve))
    assert.deepEqual(answers, ['pw'])
    assert.equal(asked, 1)
    assert.equal(await step(['keyboard-interactive']), false)
  })
})
