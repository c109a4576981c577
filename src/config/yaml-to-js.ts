import type {Document} from 'yaml'

/**
 * A parsed YAML document to plain data, or why not. The yaml library refuses to expand aliases
 * past a limit (an "alias bomb": a few lines that expand to gigabytes) by throwing; that is bad
 * input, reported with the file like any other problem (exit 2), not a crash.
 */
export function yamlToJS(doc: Document): {value?: unknown; problem?: string} {
  try {
    return {value: doc.toJS()}
  } catch (error) {
    const message = (error as Error).message
    if (/alias/i.test(message)) return {problem: 'YAML aliases expand too far (more than the 100 expansions allowed); write the values out instead of nesting aliases'}
    return {problem: `YAML: ${message}`}
  }
}
