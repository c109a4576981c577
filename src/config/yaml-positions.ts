/**
 * Line and column of a path in the parsed YAML, so a problem points at the line to edit. A missing
 * key points at the map that should hold it; an unknown key at the key itself.
 */
import {isMap, isScalar, type Document, type LineCounter, type Node} from 'yaml'

export type PathSegment = string | number

export interface Position {
  line: number
  column: number
}

export class YamlPositions {
  constructor(private readonly doc: Document, private readonly lines: LineCounter) {}

  /** Where the value at `path` starts; when it does not exist, where its nearest existing parent starts. */
  valueAt(path: PathSegment[], opts: {exact?: boolean} = {}): Position | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.nodeAt(path.slice(0, depth))
      if (node?.range) return this.at(node.range[0])
      if (opts.exact) return undefined
    }
    return undefined
  }

  /** Where the key `key` of the map at `mapPath` is written. */
  keyAt(mapPath: PathSegment[], key: string): Position | undefined {
    const map = this.nodeAt(mapPath)
    if (!isMap(map)) return undefined
    const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key)
    const range = pair && isScalar(pair.key) ? pair.key.range : undefined
    return range ? this.at(range[0]) : undefined
  }

  /** Where the map that lacks `path`'s last key starts; nothing for the top level (line 1 helps no one). */
  parentOf(path: PathSegment[]): Position | undefined {
    if (path.length <= 1) return undefined
    return this.valueAt(path.slice(0, -1), {exact: true})
  }

  at(offset: number): Position {
    const {line, col} = this.lines.linePos(offset)
    return {line, column: col}
  }

  private nodeAt(path: PathSegment[]): Node | undefined {
    if (path.length === 0) return (this.doc.contents as Node | null) ?? undefined
    try {
      return this.doc.getIn(path, true) as Node | undefined
    } catch {
      return undefined // a scalar where a map was expected
    }
  }
}

/** `['nodes', 1, 'address']` -> `nodes[1].address` */
export function formatPath(path: readonly PathSegment[]): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('')
}

/** `nodes[1].address` -> `['nodes', 1, 'address']` */
export function splitPath(path: string): PathSegment[] {
  const out: PathSegment[] = []
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1])
  return out
}
