/**
 * Every step id, in registry order, without loading a step: a runbook is checked against this list
 * before any connection, and the step modules load after (start-up cost: README, Benchmarks).
 * test/unit/engine/runbook.test.ts keeps it equal to the registry (index.ts): add a new step's id here.
 */
export const STEP_IDS: readonly string[] = [
  'storage.packages', 'storage.partition',
  'drbd.packages', 'drbd.config', 'drbd.metadata', 'drbd.up', 'drbd.connect', 'drbd.primary', 'drbd.sync',
  'filesystem.mkfs', 'filesystem.mount',
  'nfs.packages', 'nfs.config', 'nfs.boot',
  'keepalived.packages', 'keepalived.scripts', 'keepalived.config', 'keepalived.service',
  'lvs.packages', 'lvs.module', 'lvs.arp', 'lvs.loopback', 'lvs.backend', 'lvs.notify',
  'heartbeat.packages', 'heartbeat.resources', 'heartbeat.nfs', 'heartbeat.config', 'heartbeat.service',
  'pacemaker.packages', 'pacemaker.keys', 'pacemaker.corosync', 'pacemaker.service', 'pacemaker.cib',
]
