/**
 * Starting and stopping a manager that is one systemd unit. Start clears a failed state first
 * (a drill's SIGKILL can leave the unit failed, and a failed unit may refuse to start); the
 * failback drill stops the unit on the preferred node and starts it again the same way.
 */
export function systemdUnitControl(unit: string): {startHa: string; stopHa: string; failbackPrepare: string; failbackInject: string} {
  const start = `systemctl reset-failed ${unit} 2>/dev/null || true\nsystemctl start ${unit}`
  const stop = `systemctl stop ${unit}`
  return {startHa: start, stopHa: stop, failbackPrepare: stop, failbackInject: start}
}
