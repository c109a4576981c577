/** Where the keepalived stack's scripts, log and runtime files live on a node. */

/** Root-owned, 0755 all the way up: keepalived's enable_script_security refuses anything writable by others. */
export const HA_SCRIPT_DIR = '/etc/keepalived/hapair'
export const NOTIFY_SCRIPT_PATH = `${HA_SCRIPT_DIR}/notify.sh`
export const CHECK_SCRIPT_PATH = `${HA_SCRIPT_DIR}/check-nfs.sh`
/** The LVS directors' notify script: logs (and mails) each transition; IPVS itself needs nothing moved. */
export const LVS_NOTIFY_SCRIPT_PATH = `${HA_SCRIPT_DIR}/notify-lvs.sh`
export const HA_SCRIPT_MODE = 0o755

/** Every transition, with a timestamp, node name and outcome (also sent to syslog as `hapair-ha`). */
export const HA_LOG_PATH = '/var/log/hapair-ha.log'
/** tmpfs: the lock and the give-up marker vanish on reboot, which is what they should do. */
export const HA_RUN_DIR = '/run/hapair'
export const HA_LOCK_PATH = `${HA_RUN_DIR}/ha.lock`
export const HA_GAVE_UP_PATH = `${HA_RUN_DIR}/gave-up`
/**
 * When keepalived last called notify master (epoch seconds): a takeover on its way to the lock.
 * In /run itself, which always exists: it is written before the call may start a program.
 */
export const HA_MASTER_CALLED_PATH = '/run/hapair-master-called'
