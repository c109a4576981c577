/**
 * Portmapper version 2 (RFC 1833), PMAPPROC_GETPORT only: which TCP port serves a program
 * version. Port 0 means "not registered", e.g. mountd not running after a failover yet.
 */
import {RpcClient, RpcError, type RpcClientOptions} from './rpc-client.js'
import {XdrWriter} from './xdr.js'

export const PMAP_PROG = 100000
export const PMAP_VERS = 2
export const PMAP_PORT = 111
const PMAPPROC_GETPORT = 3
const IPPROTO_TCP = 6

export const MOUNT_PROG = 100005
export const MOUNT_VERS = 3
export const NFS_PROG = 100003
export const NFS_VERS = 3

export const encodeGetPort = (prog: number, vers: number): Buffer => new XdrWriter().uint32(prog).uint32(vers).uint32(IPPROTO_TCP).uint32(0).toBuffer()

/** Asks the portmapper on `host` (one short connection) for the TCP port of each program. */
export async function getPorts(
  host: string,
  wanted: Array<{prog: number; vers: number}>,
  timeoutMs: number,
  rpc: Partial<RpcClientOptions> = {},
): Promise<number[]> {
  const client = new RpcClient({...rpc, host, port: rpc.port ?? PMAP_PORT})
  const deadline = Date.now() + timeoutMs
  try {
    const ports: number[] = []
    for (const w of wanted) {
      const r = await client.call(PMAP_PROG, PMAP_VERS, PMAPPROC_GETPORT, 'GETPORT', encodeGetPort(w.prog, w.vers), Math.max(1, deadline - Date.now()))
      const port = r.uint32()
      if (port === 0 || port > 65535) throw new RpcError('refused', `the portmapper on ${host} has no TCP port for program ${w.prog} version ${w.vers} (service not running?)`)
      ports.push(port)
    }
    return ports
  } finally {
    client.close()
  }
}
