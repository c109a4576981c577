/**
 * The cheap reads behind a node's state besides DRBD (drbd.ts): the VIP, the mount, nfsd's
 * threads, the HA daemon's unit and the kernel's split-brain messages. /proc files read with shell
 * builtins and one `ip` call, so the drills' fast polls cost a few milliseconds on a real node;
 * systemctl and dmesg are for full reads only (node-state.ts decides which a read asks).
 */
import {shq, type Fact} from '../facts/fact.js'
import {vipFact} from '../facts/ip.js'

/** Is the VIP one of the interface's addresses? A missing interface holds nothing. */
export function vipHeldFact(vip: {address: string; interface: string}): Fact<boolean> {
  const inner = vipFact(vip.interface, vip.address)
  return {command: inner.command, parse: (stdout, code) => inner.parse(stdout, code).holdsVip}
}

/** Something is mounted at the mount point (from any device). */
export function mountedFact(mountPoint: string): Fact<boolean> {
  return {
    // /proc/mounts escapes spaces as \040; mount points in the cluster file have none worth handling.
    // A builtin loop, not awk: see drbdPollFact.
    command: `while read -r src target fstype _; do [ "$target" = ${shq(mountPoint)} ] && printf '%s %s %s\\n' "$src" "$target" "$fstype"; done </proc/mounts; :`,
    parse: (stdout) => stdout.trim().length > 0,
  }
}

export const nfsdFact: Fact<number> = {
  // The nfsd filesystem is not mounted until the server first starts: that also means no threads.
  command: 'threads=0; read -r threads 2>/dev/null </proc/fs/nfsd/threads; echo "${threads:-0}"',
  parse: (stdout) => Number.parseInt(stdout.trim(), 10) || 0,
}

export function unitActiveFact(unit: string): Fact<boolean> {
  return {command: `systemctl is-active ${shq(unit)}`, parse: (stdout) => stdout.trim() === 'active'}
}

/** DRBD kernel messages about split brain ("Split-Brain detected but unresolved, dropping connection!", 8.4 and 9 alike). */
export const splitBrainLogFact: Fact<string[]> = {
  command: "dmesg 2>/dev/null | grep -E 'Split-Brain detected' | tail -n 3",
  parse: (stdout) => stdout.split('\n').map((l) => l.trim()).filter(Boolean),
}
