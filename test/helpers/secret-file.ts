/**
 * What fileFact reads from a node for a file holding secrets: the node's sha256 of the real bytes
 * and the content with secret values replaced (the node's sed does this; redactSecretKeys is its
 * twin), parsed by the real fact parser.
 */
import {createHash} from 'node:crypto'
import {fileFact, redactSecretKeys, type FileInfo, type SecretKey} from '../../src/facts/file.js'

export function nodeOutputForSecretFile(content: string, mode: number, keys: readonly SecretKey[]): string {
  const sha = createHash('sha256').update(content).digest('hex')
  return `${mode.toString(8)}\n${sha}\n${Buffer.from(redactSecretKeys(content, keys)).toString('base64')}\n`
}

export function secretFile(content: string, mode: number, keys: readonly SecretKey[]): FileInfo {
  return fileFact('/any', {secretKeys: keys}).parse(nodeOutputForSecretFile(content, mode, keys), 0)
}
