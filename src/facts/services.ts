/**
 * `systemctl is-active` and `is-enabled` of several units in one remote call.
 */
import {shq, type Fact} from './fact.js'

export interface UnitState {
  /** active, inactive, failed, activating, deactivating, reloading; "unknown" when systemctl could not tell. */
  active: string
  /** enabled, disabled, static, alias, masked, indirect, generated, ...; "not-found" when there is no such unit. */
  enabled: string
}

export type ServiceStates = Record<string, UnitState>

/**
 * One line per unit: `unit<TAB>active<TAB>enabled`. systemctl prints the state on stdout even
 * when it exits non-zero (inactive, disabled), and nothing for an unknown unit's is-enabled (the
 * reason goes to stderr), which the parser turns into "not-found".
 */
export function servicesFact(units: string[]): Fact<ServiceStates> {
  const list = units.map(shq).join(' ')
  return {
    command: `for u in ${list}; do
  a=$(systemctl is-active "$u" 2>/dev/null); e=$(systemctl is-enabled "$u" 2>/dev/null)
  printf '%s\\t%s\\t%s\\n' "$u" "\${a:-unknown}" "\${e:-not-found}"
done`,
    parse: (stdout) => parseServiceStates(stdout, units),
  }
}

export function parseServiceStates(stdout: string, units: string[]): ServiceStates {
  const out: ServiceStates = {}
  for (const unit of units) out[unit] = {active: 'unknown', enabled: 'not-found'}
  for (const line of stdout.split('\n')) {
    const [unit, active, enabled] = line.split('\t')
    if (!unit || active === undefined || enabled === undefined) continue
    // is-active prints one word; keep the first line only if systemctl said more.
    out[unit.trim()] = {active: active.trim().split(/\s+/)[0] || 'unknown', enabled: enabled.trim().split(/\s+/)[0] || 'not-found'}
  }
  return out
}

export const isActive = (s: UnitState | undefined): boolean => s?.active === 'active' || s?.active === 'reloading'

/** Enabled to start at boot (persistently or for this boot only). */
export const startsAtBoot = (s: UnitState | undefined): boolean => s?.enabled === 'enabled' || s?.enabled === 'enabled-runtime'
