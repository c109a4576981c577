/** Progress lines for the lab: plain, timestamped, on stderr (a build takes minutes). */
export type LabLog = (line: string) => void

export function timestamp(date = new Date()): string {
  return date.toISOString().slice(11, 23)
}

export const stderrLog: LabLog = (line) => {
  process.stderr.write(`[${timestamp()}] lab: ${line}\n`)
}

export const silentLog: LabLog = () => {}
