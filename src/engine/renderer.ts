/**
 * Which listr2 renderer: live spinners for a person at a terminal, plain timestamped lines for
 * CI logs and pipes, nothing under --json (stdout then holds only the JSON document).
 */
export type RendererChoice = 'default' | 'simple' | 'silent'

export function chooseRenderer(opts: {json: boolean; stdoutIsTTY: boolean; env: NodeJS.ProcessEnv}): RendererChoice {
  if (opts.json) return 'silent'
  if (!opts.stdoutIsTTY || opts.env.CI || opts.env.TERM === 'dumb') return 'simple'
  return 'default'
}

/**
 * A node's progress line. The live renderer draws it under that node's own row; plain lines stand
 * alone in a CI log, where `› create /data` printed once per node said nothing about which node.
 */
export function nodeOutput(renderer: RendererChoice, node: string, line: string): string {
  return renderer === 'default' ? line : `${node}: ${line}`
}

/** A node's row under a step: the node alone under the live step row, the node and the step as a plain line. */
export function nodeTitle(renderer: RendererChoice, node: string, step: string): string {
  return renderer === 'default' ? node : `${node}: ${step}`
}
