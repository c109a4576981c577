import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {fingerprintOf, keyTypeOf, preferredHostKeyAlgorithms, sameFingerprint} from '../../../src/transport/host-key.js'

/** Public keys and the fingerprints `ssh-keygen -lf` (OpenSSH 9.2) printed for them. */
const RECORDED = [
  {
    pub: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFusGb74pCu9Xl9U/Tu35GkzfjFvEA+rhGhimSrsi5FD fixture-ed25519',
    keygen: '256 SHA256:fO8WkiIH2Hz12ECj44NFcV609UidyUZRS4WH+48vJ1w fixture-ed25519 (ED25519)',
  },
  {
    pub: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHt/3i53Tk8LguJBBVCFdqFTuSymIlPK1OMbVzYbijJeVP0cCZCDvxLVk25JngR5ADyeNLHX2vNAjZJQ8nvx9wI= fixture-ecdsa',
    keygen: '256 SHA256:RIXcDVCw4rSilvAJkDCXWSgUMKpFluDvjsztNnuRm6E fixture-ecdsa (ECDSA)',
  },
  {
    pub: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQC+JUF+EhWFo5zDABz0yPjl8ZrLfg8t7G7lmWBu7RSgerQxqvX910/hgDNCR41r9liccegOyYpfeOSbTwXnFPAwR593ajMPDlPYW28N+fZg4J3x0M5G7bKBkt3y+j8JPlO5Ogd5+sYXbZM4Su9o+cOBkwTcNA0GSpafyZBK5KJv4VtcClU+RRz/aa5pA5H/dOc0EsAg/iT3Nh22l2Kkn7E7NctRS7qt7FU+Wzqltn770qaRanQIpGDLxxRUhdNwHMchhSmR/JaPKiJ3RtCfUsARzoKjn5IatTds+jECdH8KpwsI+cThh8XUvx42Q/v29oUh8JiB2n5EcbS02SJxPqLSxYlwVJIOH5YkiP++4hfQsibarNyV5wl4wZgqja7ltQZzFL5X1b6hdLZRxpb31Fj7rBAvVPCMEloC2LiaCAbkMerj6lClFKZROz9ztmnKnX8C/LKSjXWMHxXE/cqbXoIp6zSLmd4+MU9kpg8LZFSJ79XuEuDwShL2rNDTr4mj4k0= fixture-rsa',
    keygen: '3072 SHA256:oPi1Q+u9OGPFdl8kZ1mqnFg+aZYoaH8AneK0HWgfzEo fixture-rsa (RSA)',
  },
]

const blobOf = (pub: string) => Buffer.from(pub.split(' ')[1], 'base64')

describe('fingerprintOf', () => {
  for (const {pub, keygen} of RECORDED) {
    it(`matches ssh-keygen -lf for ${pub.split(' ')[0]}`, () => {
      assert.equal(fingerprintOf(blobOf(pub)), keygen.split(' ')[1])
    })
  }

  it('matches ssh-keygen -lf on a freshly generated key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-fp-'))
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')])
      const expected = execFileSync('ssh-keygen', ['-lf', join(dir, 'k.pub')], {encoding: 'utf8'}).split(' ')[1]
      assert.equal(fingerprintOf(blobOf(readFileSync(join(dir, 'k.pub'), 'utf8'))), expected)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('keyTypeOf', () => {
  it('reads the type from the blob', () => {
    assert.deepEqual(
      RECORDED.map((r) => keyTypeOf(blobOf(r.pub))),
      ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa'],
    )
  })

  it('rejects garbage', () => {
    assert.throws(() => keyTypeOf(Buffer.from([0, 0])), /too short/)
    assert.throws(() => keyTypeOf(Buffer.from([0xff, 0, 0, 0, 1])), /does not start with a key type/)
  })
})

describe('sameFingerprint', () => {
  it('ignores the optional = padding', () => {
    assert.ok(sameFingerprint('SHA256:fO8WkiIH2Hz12ECj44NFcV609UidyUZRS4WH+48vJ1w=', 'SHA256:fO8WkiIH2Hz12ECj44NFcV609UidyUZRS4WH+48vJ1w'))
    assert.ok(!sameFingerprint('SHA256:fO8WkiIH2Hz12ECj44NFcV609UidyUZRS4WH+48vJ1w', 'SHA256:RIXcDVCw4rSilvAJkDCXWSgUMKpFluDvjsztNnuRm6E'))
  })
})

describe('preferredHostKeyAlgorithms', () => {
  it('puts the known types first, RSA as its SHA-2 signature algorithms', () => {
    const list = preferredHostKeyAlgorithms(['ssh-rsa'])
    assert.deepEqual(list.slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'])
    assert.ok(list.includes('ssh-ed25519'), 'other algorithms stay allowed')
    assert.equal(new Set(list).size, list.length)
  })

  it('keeps ssh2 default order when nothing is known', () => {
    assert.equal(preferredHostKeyAlgorithms([])[0], 'ssh-ed25519')
  })
})
