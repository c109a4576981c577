/**
 * Mount facts: whether a directory exists, what is mounted on it, where a device is mounted, and
 * whether /etc/fstab mentions either (the HA stack owns mounting a DRBD device; an fstab line for it
 * would make the Secondary fail to boot cleanly).
 */
import {shq, type Fact} from './fact.js'
import {unescapeMount} from './disks.js'

export interface MountEntry {
  /** Mount point. */
  target: string
  /** Mounted device (or pseudo source such as tmpfs). */
  source: string
  fstype: string
  options: string
  /** major:minor of the mounted device. */
  majMin: string
}

export interface MountInfo {
  dirExists: boolean
  /** Mounts whose target is the mount point (the last one is the visible one). */
  atTarget: MountEntry[]
  /** Mounts of the device, wherever they are. */
  ofDevice: MountEntry[]
  /** /etc/fstab lines naming the mount point or the device. */
  fstabLines: string[]
}

/** One line of /proc/self/mountinfo (see proc(5)); null for a line that is not one. */
export function parseMountinfoLine(line: string): MountEntry | null {
  const fields = line.trim().split(' ')
  const dash = fields.indexOf('-')
  if (dash < 6 || fields.length < dash + 3) return null
  return {
    majMin: fields[2],
    target: unescapeMount(fields[4]),
    options: fields[5],
    fstype: fields[dash + 1],
    source: unescapeMount(fields[dash + 2]),
  }
}

const M = '@@mount'

/**
 * Reads mountinfo through the device's major:minor as well as its name, because /proc/mounts can
 * name a device by a path other than the one in the cluster file.
 */
export function mountFact(mountPoint: string, device: string): Fact<MountInfo> {
  return {
    command: `mp=${shq(mountPoint)}; dev=${shq(device)}
[ -d "$mp" ] && echo '${M} dir yes' || echo '${M} dir no'
mm=$( [ -b "$dev" ] && printf '%d:%d' "0x$(stat -L -c %t "$dev")" "0x$(stat -L -c %T "$dev")" )
echo "${M} devmm $mm"
echo '${M} mountinfo'
cat /proc/self/mountinfo
echo '${M} fstab'
grep -v '^[[:space:]]*#' /etc/fstab 2>/dev/null | awk -v mp="$mp" -v dev="$dev" '$1==dev || $2==mp'
true`,
    parse(stdout) {
      let section = ''
      let devMm = ''
      let dirExists = false
      const mounts: MountEntry[] = []
      const fstabLines: string[] = []
      for (const line of stdout.split('\n')) {
        if (line.startsWith(`${M} `)) {
          const [word, value = ''] = line.slice(M.length + 1).split(' ')
          if (word === 'dir') dirExists = value === 'yes'
          else if (word === 'devmm') devMm = value
          else section = word
          continue
        }
        if (section === 'mountinfo') {
          const entry = parseMountinfoLine(line)
          if (entry) mounts.push(entry)
        } else if (section === 'fstab' && line.trim()) fstabLines.push(line.trim())
      }
      return {
        dirExists,
        atTarget: mounts.filter((m) => m.target === mountPoint),
        ofDevice: mounts.filter((m) => m.source === device || (devMm !== '' && m.majMin === devMm)),
        fstabLines,
      }
    },
  }
}
