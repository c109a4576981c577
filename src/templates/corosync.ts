/**
 * corosync 3's files as pure functions of the cluster file and the secrets:
 *
 *   corosync.conf  identical on both nodes: the cluster name, knet with crypto (udpu, which
 *                  corosync 3 keeps for old networks, has no crypto), the token timeout, the
 *                  nodelist with names, ids and link addresses (the node's address as link 0,
 *                  the replication address as link 1 when it has one), and quorum: `two_node`,
 *                  or the quorum device on a third machine, which replaces it.
 *   authkey        identical on both nodes, 0400: the generated key from the secrets file.
 *
 * corosync reads the authkey as raw bytes (at least 128, at most 4096); hapair writes the secret's
 * base64 text itself (344 bytes carrying the 256 random bytes' 2048 bits), so the file is text,
 * and its sha256 is the secret's: plans compare hashes and the key never crosses the wire back.
 */
import {isIPv6, nodeIp} from '../config/address.js'
import type {ClusterConfig, PacemakerConfig, Secrets} from '../config/schema.js'

export const COROSYNC_CONF_PATH = '/etc/corosync/corosync.conf'
export const COROSYNC_CONF_MODE = 0o644
export const COROSYNC_AUTHKEY_PATH = '/etc/corosync/authkey'
/** corosync refuses nothing here, but a key readable by others lets anyone join the cluster. */
export const COROSYNC_AUTHKEY_MODE = 0o400
export const COROSYNC_LOG_PATH = '/var/log/corosync/corosync.log'

/** corosync's consensus default: 1.2 x token (what it waits for agreement after a token is lost). */
export const consensusMs = (token: number) => Math.round(token * 1.2)

/** The link addresses of a node in link order: its address, then the dedicated replication link's. */
export function corosyncLinks(node: ClusterConfig['nodes'][number]): string[] {
  const main = nodeIp(node)
  return node.replicationAddress && node.replicationAddress !== main ? [main, node.replicationAddress] : [main]
}

export function renderCorosyncConf(config: ClusterConfig, pm: PacemakerConfig): string {
  const knet = pm.transport === 'knet'
  // udpu has one link only: the first.
  const links = config.nodes.map((n) => (knet ? corosyncLinks(n) : corosyncLinks(n).slice(0, 1)))
  const linkCount = Math.min(...links.map((l) => l.length))
  const ipv6 = links.flat().some((a) => isIPv6(a))
  const interfaces = Array.from({length: linkCount}, (_, i) => `    interface {\n        linknumber: ${i}\n        mcastport: ${pm.port}\n    }`)
  const nodes = config.nodes.map((n, i) => {
    const rings = links[i].slice(0, linkCount).map((a, l) => `        ring${l}_addr: ${a}`)
    return `    node {\n        name: ${n.name}\n        nodeid: ${i + 1}\n${rings.join('\n')}\n    }`
  })
  const q = pm.quorumDevice
  const quorum = q
    ? `quorum {
    provider: corosync_votequorum
    # The quorum device on ${q.host} breaks ties instead of two_node: a node cut off from
    # both its peer and the device loses quorum and stops its resources.
    device {
        votes: 1
        model: net
        net {
            host: ${q.host}
            port: ${q.port}
            algorithm: ${q.algorithm}
            tls: on
        }
    }
}`
    : `quorum {
    provider: corosync_votequorum
    # Two nodes: the survivor of a split keeps quorum (wait_for_all at first start), and
    # fencing decides which one survives.
    two_node: 1
}`
  return `# managed by hapair (cluster ${config.name}): corosync membership, identical on both nodes.
# Edit the cluster file and re-run hapair.
totem {
    version: 2
    cluster_name: ${pm.clusterName}
    transport: ${pm.transport}
    token: ${pm.token}
    ip_version: ${ipv6 ? 'ipv6-4' : 'ipv4'}
${knet ? `    crypto_cipher: ${pm.crypto.cipher}\n    crypto_hash: ${pm.crypto.hash}` : '    # udpu carries no crypto in corosync 3: use knet where the network is not trusted.\n    crypto_cipher: none\n    crypto_hash: none'}
${interfaces.join('\n')}
}

nodelist {
${nodes.join('\n')}
}

${quorum}

logging {
    to_logfile: yes
    logfile: ${COROSYNC_LOG_PATH}
    to_syslog: yes
    timestamp: on
}
`
}

/** The authkey's bytes: the secret's base64 text (see the file comment). */
export function renderCorosyncAuthkey(secrets: Secrets): string {
  return secrets.corosyncAuthkey
}
