import {shq, type Fact} from './fact.js'

export interface FileInfo {
  exists: boolean
  /** Content as text (files hapair owns are small config files). */
  content: string | null
  mode: number | null
}

/** A file's mode and content; base64 so any byte survives the trip. */
export function fileFact(path: string): Fact<FileInfo> {
  const p = shq(path)
  return {
    command: `if [ -f ${p} ]; then stat -c %a ${p}; base64 -w0 ${p}; echo; else echo missing; fi`,
    parse(stdout) {
      const [first, b64 = ''] = stdout.split('\n')
      if (first.trim() === 'missing') return {exists: false, content: null, mode: null}
      return {exists: true, mode: parseInt(first.trim(), 8), content: Buffer.from(b64.trim(), 'base64').toString('utf8')}
    },
  }
}
