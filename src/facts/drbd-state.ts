/** The DRBD resource state both kernel generations are normalised into (8.4 /proc/drbd, 9 drbdsetup). */

export type DrbdMajor = 8 | 9

export interface SyncProgress {
  /** 0..100 */
  percent: number
  /** Resync speed, KiB/s (8.4: the ~18 s average /proc/drbd prints first). */
  speedKiBs: number | null
  etaSeconds: number | null
  remainingKiB: number | null
  totalKiB: number | null
  stalled: boolean
}

export interface DrbdResourceState {
  role: string
  peerRole: string
  disk: string
  peerDisk: string
  /** 8.4 `cs:` value, or 9's connection-state (Connected, Connecting, StandAlone, ...). */
  connection: string
  /** 9's replication-state; for 8.4 derived from cs (Established, SyncSource, SyncTarget, ...). */
  replication: string
  /** The peers talk (any state past the handshake: Connected, syncing, verifying, Ahead/Behind). */
  connected: boolean
  /** Waiting for the peer (8.4 WFConnection/WFReportParams, 9 Connecting). */
  connecting: boolean
  protocol: string | null
  /** Out-of-sync KiB as the kernel counts it (8.4 `oos:`, 9 `out-of-sync`). */
  outOfSyncKiB: number | null
  sync: SyncProgress | null
}
