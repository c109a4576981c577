/**
 * heartbeat's `drbddisk` resource script (haresources `drbddisk::<resource>`), for nodes whose
 * drbd-utils does not ship one (Debian's 9.22 does; builds without heartbeat support do not).
 * The same contract as LINBIT's: start = Primary, stop = Secondary, both retried, status says
 * "running" only for Primary. hapair writes it only where the file is missing or already its own.
 */
import {sh} from './ha-params.js'

/** The marker that says the file is hapair's (and may be rewritten), not drbd-utils'. */
export const DRBDDISK_MARK = '# managed by hapair: drbddisk'

export function renderDrbddisk(): string {
  return sh`#!/bin/bash
${DRBDDISK_MARK} (drbd-utils on this node ships none). Usage: drbddisk [resource] start|stop|status
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if [ "$#" -eq 2 ]; then RES=$1 CMD=$2; else RES=all CMD=$\{1:-}; fi

case $CMD in
  start)
    # Retried: heartbeat's deadtime can be shorter than DRBD's ping timeout, so a peer that just
    # died may still count as Primary for a moment. DRBD itself refuses a second Primary and
    # data that is not UpToDate; nothing here forces it.
    for try in 1 2 3 4 5 6; do
      drbdadm primary "$RES" && exit 0
      sleep 1
    done
    exit 1
    ;;
  stop)
    # heartbeat retries a failed stop as well; a stop that never succeeds must say so.
    for try in 1 2 3; do
      drbdadm secondary "$RES" && exit 0
      sleep 1
    done
    exit 1
    ;;
  status)
    if [ "$RES" = all ]; then
      echo "A resource name is required for status inquiries."
      exit 10
    fi
    # DRBD 8.4 prints "Primary/Secondary", DRBD 9 the local role alone; a resource that is down prints nothing.
    role=$(drbdadm role "$RES" 2>/dev/null | head -n1)
    role=$\{role%%/*}
    case $role in
      Primary)
        echo "running (Primary)"
        exit 0
        ;;
      Secondary | Unconfigured | '')
        echo "stopped ($\{role:-Unconfigured})"
        exit 3
        ;;
      *)
        # heartbeat reads the word "running": an unknown state must count as possibly running.
        echo "cannot determine status, may be running ($role)"
        exit 4
        ;;
    esac
    ;;
  *)
    echo "usage: drbddisk [resource] start|stop|status"
    exit 1
    ;;
esac
`
}
