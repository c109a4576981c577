/**
 * A small XML reader for what pacemaker's tools print (crm_mon's XML, cibadmin --query, crm_diff):
 * elements, attributes and nesting; text, comments, processing instructions and doctypes are
 * skipped. Not a general XML parser: it reads well-formed tool output and says where it is not.
 */

export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
}

const ENTITIES: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'"}

function decode(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)))
    return ENTITIES[e] ?? whole
  })
}

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>/g
const ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

/** The top-level elements of `text` (tool output may print several, or none). Throws on mismatched tags. */
export function parseXml(text: string): XmlElement[] {
  const roots: XmlElement[] = []
  const stack: XmlElement[] = []
  for (const m of text.matchAll(TAG)) {
    if (!m[2]) continue // comment, processing instruction, CDATA, doctype
    const [, closing, name, attrText, selfClosing] = m
    if (closing) {
      const open = stack.pop()
      if (!open || open.name !== name) throw new Error(`XML: </${name}> closes ${open ? `<${open.name}>` : 'nothing'}`)
      continue
    }
    const attrs: Record<string, string> = {}
    for (const a of attrText.matchAll(ATTR)) attrs[a[1]] = decode(a[2] ?? a[3] ?? '')
    const el: XmlElement = {name, attrs, children: []}
    ;(stack.length ? stack[stack.length - 1].children : roots).push(el)
    if (!selfClosing) stack.push(el)
  }
  if (stack.length) throw new Error(`XML: <${stack[stack.length - 1].name}> is not closed (output cut short?)`)
  return roots
}

/** The first element named `name` at any depth (depth-first), or undefined. */
export function findFirst(el: XmlElement | XmlElement[], name: string): XmlElement | undefined {
  for (const e of Array.isArray(el) ? el : [el]) {
    if (e.name === name) return e
    const inner = findFirst(e.children, name)
    if (inner) return inner
  }
  return undefined
}

/** Every element named `name` at any depth, in document order. */
export function findAll(el: XmlElement | XmlElement[], name: string): XmlElement[] {
  const out: XmlElement[] = []
  for (const e of Array.isArray(el) ? el : [el]) {
    if (e.name === name) out.push(e)
    out.push(...findAll(e.children, name))
  }
  return out
}
