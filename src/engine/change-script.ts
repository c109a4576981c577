/**
 * Turns a planned change into the script that applies it. Files are written Ansible-style:
 * a temp file beside the target (created 0600 by mktemp, so secrets are never world-readable),
 * validated, then renamed into place.
 */
import type {FileChange} from './step.js'
import {shq} from '../facts/fact.js'

export function fileWriteScript(change: FileChange): string {
  const path = shq(change.path)
  const b64 = Buffer.from(change.content, 'utf8').toString('base64').replace(/(.{76})/g, '$1\n')
  const validate = change.validate ? `${change.validate.replaceAll('{}', '"$tmp"')}\n` : ''
  return `dir=$(dirname ${path}); mkdir -p "$dir"
tmp=$(mktemp "$dir/.hapair.XXXXXX")
trap 'rm -f "$tmp"' EXIT
base64 -d > "$tmp" <<'HAPAIR_EOF'
${b64}
HAPAIR_EOF
chmod ${change.mode.toString(8).padStart(4, '0')} "$tmp"
${validate}mv -f "$tmp" ${path}
trap - EXIT
${change.then ? `${change.then.script.trimEnd()}\n` : ''}`
}
