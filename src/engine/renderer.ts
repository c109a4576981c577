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
