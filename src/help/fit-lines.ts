/**
 * Fits help text to a width, for the two things oclif leaves on one line whatever the terminal:
 * a command's summary (prose: wrapped at spaces, continuation lines keep the indent) and plain
 * example commands (`$ hapair init --yes ...`: broken at spaces with a trailing ` \` and the
 * next part indented, so the example still pastes into a shell as one command). A single word
 * longer than the width stays whole rather than be cut.
 */

const ANSI = /\x1b\[[0-9;]*m/g

export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length
}

export function fitLines(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => (visibleLength(line) <= width ? line : fitLine(line, width)))
    .join('\n')
}

function fitLine(line: string, width: number): string {
  const indent = /^\s*/.exec(line)![0]
  const body = line.slice(indent.length)
  const command = body.startsWith('$ ')
  // A command's continuation is indented under its first word; prose continues at its own indent.
  const next = command ? `${indent}    ` : indent
  const room = (first: boolean) => width - (first ? indent.length : next.length) - (command ? 2 : 0)
  const out: string[] = []
  let current = ''
  for (const word of body.split(' ')) {
    const candidate = current ? `${current} ${word}` : word
    if (current && visibleLength(candidate) > room(out.length === 0)) {
      out.push(current)
      current = word
    } else current = candidate
  }
  out.push(current)
  return out.map((part, i) => `${i === 0 ? indent : next}${part}`).join(command ? ' \\\n' : '\n')
}
