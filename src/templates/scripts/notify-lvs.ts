/**
 * The directors' notify script (seed 001's notify.sh): keepalived runs it as
 * `notify-lvs.sh master|backup|fault` on each VRRP transition. IPVS needs nothing moved (keepalived
 * keeps the table on both directors), so it only records the transition: always in the HA log (the
 * line format parseHaLog reads, which the drills' timeline uses), and by mail when the cluster file
 * names an address and `mail` is installed.
 */
import type {ClusterConfig} from '../../config/schema.js'
import {shq} from '../../facts/fact.js'
import {HA_LOG_PATH} from './paths.js'
import {HA_SCRIPT_PATH_LINE, sh} from './ha-params.js'

export function renderLvsNotifyScript(config: ClusterConfig): string {
  const vip = config.vip.address
  const mail = config.lvs?.notifyEmail
  return sh`#!/bin/bash
# managed by hapair (cluster ${config.name}): keepalived notify script of the LVS directors.
set -u
${HA_SCRIPT_PATH_LINE}
ACTION=$\{1:-unknown}
LOG=${shq(HA_LOG_PATH)}
case "$ACTION" in
  master) what="holds ${vip} and directs the pool" ;;
  backup) what="is backup for ${vip}" ;;
  fault) what="is in FAULT: it gave up ${vip}" ;;
  *) what="got an unknown transition" ;;
esac
line="$(date '+%Y-%m-%dT%H:%M:%S.%3N%:z') $HOSTNAME $ACTION: $HOSTNAME $what"
echo "$line" >>"$LOG" 2>/dev/null
logger -t hapair-ha -p daemon.notice -- "$ACTION: $what" 2>/dev/null
${mail ? `if command -v mail >/dev/null; then echo "$line" | mail -s "hapair ${config.name}: $HOSTNAME to $ACTION" ${shq(mail)}; fi` : '# No lvs.notifyEmail in the cluster file: transitions are logged, not mailed.'}
exit 0
`
}
