/**
 * Tests that need something from the machine (root, sshd, keepalived, a block device) may skip
 * on a developer's laptop, but never in CI: there the missing thing is a failure that says what
 * to install (scripts/install-host-deps.sh installs all of it).
 */
export function skipUnlessCI(missing: string | false | undefined): string | false {
  if (!missing) return false
  return process.env.CI ? false : missing
}

/** Call first in a test (or before hook) guarded by skipUnlessCI: in CI a missing prerequisite fails here. */
export function requirePrereq(missing: string | false | undefined): void {
  if (missing) throw new Error(`missing prerequisite: ${missing} (run scripts/install-host-deps.sh as root)`)
}
