/**
 * What the NFS service adds to keepalived.conf (chk_nfs, notify scripts) and to keepalived's
 * unit (the drop-in that lets notify_stop finish): the NFS half of the NFS + keepalived stack.
 */
import type {KeepalivedServiceParts} from './keepalived.js'
import {CHECK_SCRIPT_PATH, NOTIFY_SCRIPT_PATH} from './scripts/paths.js'

/** Check cadence: a dead NFS server is noticed within interval*fall seconds (plus one restart try). */
export const CHECK = {interval: 2, fall: 2, rise: 1, timeout: 60} as const

export function nfsKeepalivedParts(): KeepalivedServiceParts {
  const notify = (what: string) => `    notify_${what} "${NOTIFY_SCRIPT_PATH} ${what}"`
  return {
    before: [
      'vrrp_script chk_nfs {',
      `    script "${CHECK_SCRIPT_PATH}"`,
      `    interval ${CHECK.interval}`,
      `    timeout ${CHECK.timeout}`,
      `    fall ${CHECK.fall}`,
      `    rise ${CHECK.rise}`,
      '    # weight 0: after <fall> failures the instance goes to FAULT and gives up the VIP whatever',
      '    # the priorities; a negative weight only lowers priority, which moves nothing under nopreempt.',
      '    weight 0',
      '}',
      '',
    ],
    instance: ['    track_script {', '        chk_nfs', '    }', notify('master'), notify('backup'), notify('fault'), notify('stop')],
    after: [],
  }
}

/**
 * systemd drop-in for keepalived.service. keepalived forks notify_stop as it shuts down and does
 * not wait for it; with the default KillMode=control-group systemd then kills everything left
 * in the unit's cgroup, i.e. the script halfway through stopping NFS, unmounting and demoting
 * DRBD, and the peer then refuses to promote. KillMode=process signals only keepalived itself.
 *
 * Even so, keepalived's own notify_stop is sometimes never seen at all (twice in the lab's
 * stop-ha drill: no trace of the call, node1 left Primary and serving without its VIP, node2
 * refused to promote). So systemd also runs the stop release after every stop of the unit
 * (ExecStopPost), where keepalived cannot cut it short; notify.sh acts on it only after a clean
 * stop ($SERVICE_RESULT=success): a crashed or killed keepalived is restarted and judges for itself.
 * When both calls arrive, the lock runs them one after the other and the second finds nothing to do.
 */
export function renderKeepalivedDropIn(): string {
  return [
    '# managed by hapair: let notify_stop finish releasing NFS, the mount and DRBD when keepalived stops.',
    '[Service]',
    'KillMode=process',
    '# ...and release again after every clean stop, should keepalived\'s own notify_stop not have run.',
    `ExecStopPost=-${NOTIFY_SCRIPT_PATH} stop`,
    '# A crashed or SIGKILLed keepalived (which leaves its VIP behind) comes back within a second,',
    '# before the peer declares it dead; a clean `systemctl stop` is not restarted.',
    'Restart=on-failure',
    'RestartSec=1',
    '',
  ].join('\n')
}
