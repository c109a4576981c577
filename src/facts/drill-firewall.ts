/**
 * The names failover drills give the firewall rules that isolate the peer link (src/drills/faults.ts
 * adds them, removes exactly them), here so preflight can spot rules an interrupted drill left
 * behind without importing the drills.
 */

/** nft table (inet family) holding every rule a drill adds; removing it removes exactly those. */
export const DRILL_NFT_TABLE = 'hapair_drill'

/** iptables chain, where nft is missing. */
export const DRILL_IPT_CHAIN = 'HAPAIR-DRILL'
