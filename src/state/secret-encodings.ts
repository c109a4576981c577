/**
 * A secret in the encodings it can travel in: as itself, as hex, and as base64. base64 depends on
 * where the secret starts within a 3-byte group, so each of the three alignments gives a different
 * string; only the characters made purely of the secret's bits are stable, and those are what is
 * matched (the one or two characters at each edge mix in neighbouring bytes).
 *
 * maskEncoded() hides all of them in logs; findSecretLeaks() is the scanner tests run over every
 * byte hapair wrote. The scanner also decodes every base64 run it finds, at each offset, so a
 * secret inside base64 is found even when the run was cut or re-wrapped.
 */

export type Encoding = 'plain' | 'hex' | 'HEX' | 'base64' | 'base64url'

export interface EncodedForm {
  encoding: Encoding
  text: string
}

/** Shorter stable cores than this would match ordinary text by chance. */
const MIN_CORE = 4

export function encodedForms(secret: string): EncodedForm[] {
  const bytes = Buffer.from(secret, 'utf8')
  const forms: EncodedForm[] = [
    {encoding: 'plain', text: secret},
    {encoding: 'hex', text: bytes.toString('hex')},
    {encoding: 'HEX', text: bytes.toString('hex').toUpperCase()},
  ]
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64')
    // Characters wholly inside the secret's bits: from ceil(8*shift/6) to floor(8*(shift+n)/6).
    const core = encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6))
    if (core.length < MIN_CORE) continue
    forms.push({encoding: 'base64', text: core})
    const url = core.replace(/\+/g, '-').replace(/\//g, '_')
    if (url !== core) forms.push({encoding: 'base64url', text: url})
  }
  return forms.filter((f, i, all) => f.text.length > 0 && all.findIndex((g) => g.text === f.text) === i)
}

export const MASK = '********'

/** Every secret in every form replaced by MASK; longer forms first, so a form containing a shorter one goes whole. */
export function maskEncoded(text: string, secrets: readonly string[]): string {
  const forms = [...new Set(secrets.filter((s) => s.length > 0).flatMap((s) => encodedForms(s).map((f) => f.text)))]
  forms.sort((a, b) => b.length - a.length)
  let out = text
  for (const form of forms) out = out.split(form).join(MASK)
  return out
}

export interface SecretLeak {
  /** Index of the secret in the list given. */
  secret: number
  encoding: Encoding | 'base64-decoded'
  /** Byte offset in the scanned text where the form (or the base64 run holding it) starts. */
  offset: number
}

const BASE64_RUN = /[A-Za-z0-9+/_-]{8,}={0,2}/g

/**
 * Every place a secret shows in `data`, in any form. Pure: the caller reads the files.
 * Secrets shorter than 4 characters are not scanned (they would match everywhere).
 */
export function findSecretLeaks(data: Buffer | string, secrets: readonly string[]): SecretLeak[] {
  const text = typeof data === 'string' ? data : data.toString('latin1')
  const leaks: SecretLeak[] = []
  secrets.forEach((secret, index) => {
    if (secret.length < MIN_CORE) return
    for (const form of encodedForms(secret)) {
      for (let at = text.indexOf(form.text); at !== -1; at = text.indexOf(form.text, at + 1)) leaks.push({secret: index, encoding: form.encoding, offset: at})
    }
    const plain = Buffer.from(secret, 'utf8')
    for (const run of text.matchAll(BASE64_RUN)) {
      const body = run[0].replace(/-/g, '+').replace(/_/g, '/')
      for (let skip = 0; skip < 4; skip++) {
        if (Buffer.from(body.slice(skip), 'base64').includes(plain)) {
          leaks.push({secret: index, encoding: 'base64-decoded', offset: run.index!})
          break
        }
      }
    }
  })
  return leaks
}
