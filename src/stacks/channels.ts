/** Reading the stacks' peer channels: their ports as text for firewall tools and messages. */

/** `7788`, or a range joined by `sep` (`5404-5405` for nft and messages, `5404:5405` for iptables). */
export function portText(port: number | [number, number], sep: string): string {
  return typeof port === 'number' ? String(port) : `${port[0]}${sep}${port[1]}`
}
