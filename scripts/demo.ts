/**
 * README's main job on the built-in lab: boot two QEMU guests with blank disks, build the
 * DRBD + NFS + keepalived cluster with the runbook, run failover drills, print the report.
 * The lab stays up afterwards so you can look around (`hapair lab ssh node1`, `hapair lab down`).
 */
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {join} from 'node:path'
import {ensureLabUp} from '../src/lab/index.js'

const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

function step(title: string, args: string[], clientCommand: string, clusterFile: string): number {
  console.log(`\n### ${title}\n$ hapair ${args.join(' ')}`)
  const [cmd, ...pre] = clientCommand.split(' ')
  const r = spawnSync(cmd, [...pre, process.execPath, bin, ...args, '-c', clusterFile], {stdio: 'inherit'})
  return r.status ?? 1
}

const lab = await ensureLabUp({fresh: true})
console.log(`Lab up: ${lab.guests.map((g) => `${g.name} ${g.address}`).join(', ')}, VIP ${lab.vip}; cluster file ${lab.clusterFile}`)
const report = join(lab.dir, 'drill-report.md')
const steps: [string, string[]][] = [
  ['Preflight', ['preflight', '--fix']],
  ['Set up DRBD + NFS + keepalived from blank disks', ['run', 'nfs-keepalived']],
  ['Run it again: nothing should change', ['run', 'nfs-keepalived']],
  ['Cluster status', ['status']],
  ['Failover drills', ['failover-test', 'stop-ha', 'failback', '--report', report]],
  ['Cluster status after the drills', ['status']],
]
let failed = 0
for (const [title, args] of steps) {
  const code = step(title, args, lab.clientCommand, lab.clusterFile)
  if (code !== 0) {
    console.error(`\n"hapair ${args.join(' ')}" exited ${code}`)
    failed = code
    break
  }
}
console.log(`\nDrill report: ${report}\nThe lab is still up: \`hapair lab ssh node1\`, \`hapair lab status\`, \`hapair lab down\`.`)
process.exit(failed)
