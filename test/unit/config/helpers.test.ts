import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {didYouMean, levenshtein} from '../../../src/config/did-you-mean.js'
import {isExportClient, isNetworkOrBroadcast, inSubnet, subnetOf} from '../../../src/config/net.js'
import {formatSize, parseSize, sizeAmbiguity} from '../../../src/config/size.js'
import {formatPath, splitPath} from '../../../src/config/yaml-positions.js'

describe('parseSize', () => {
  it('reads binary units', () => {
    assert.equal(parseSize('10G'), 10 * 2 ** 30)
    assert.equal(parseSize('1.5T'), 1.5 * 2 ** 40)
    assert.equal(parseSize('512MiB'), 512 * 2 ** 20)
    assert.equal(parseSize('10GiB'), parseSize('10G'))
    assert.equal(parseSize('10Gi'), 10 * 2 ** 30)
    assert.equal(parseSize('100m'), 100 * 2 ** 20)
    assert.equal(parseSize('4096'), 4096)
  })
  it('refuses SI-looking units (parted reads GB as 10^9) and says what to write', () => {
    for (const s of ['10GB', '512MB', '1kB', '2TB', '1.5GB']) assert.equal(parseSize(s), undefined, s)
    assert.deepEqual(sizeAmbiguity('10GB'), {
      message: '"10GB" is ambiguous: GB means 10^9 bytes to parted, while hapair\'s sizes are binary',
      fix: 'write 10G or 10GiB for 10 GiB (10737418240 bytes)',
    })
    for (const s of ['10G', '10GiB', '10g', 'rest', '4096']) assert.equal(sizeAmbiguity(s), undefined, s)
  })
  it('rejects what is not a size', () => {
    for (const s of ['10 gigs', 'fast', '', 'G', '-1G', '1..5G', 'rest']) assert.equal(parseSize(s), undefined, s)
  })
  it('formats back to the shortest unit', () => {
    assert.equal(formatSize(10 * 2 ** 30), '10G')
    assert.equal(formatSize(1610612736), '1.5G')
    assert.equal(formatSize(1000), '1000')
  })
})

describe('didYouMean', () => {
  const keys = ['address', 'prefix', 'interface', 'mountPoint', 'virtualRouterId', 'priority']
  it('finds typos, snake_case and abbreviations', () => {
    assert.equal(didYouMean('adress', keys), 'address')
    assert.equal(didYouMean('mount_point', keys), 'mountPoint')
    assert.equal(didYouMean('VIRTUAL-ROUTER-ID', keys), 'virtualRouterId')
    assert.equal(didYouMean('iface', keys), 'interface')
    assert.equal(didYouMean('prio', keys), 'priority')
  })
  it('stays quiet when nothing is close', () => {
    assert.equal(didYouMean('colour', keys), undefined)
    assert.equal(didYouMean('D', ['A', 'B', 'C']), undefined)
  })
  it('levenshtein', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3)
    assert.equal(levenshtein('', 'abc'), 3)
  })
})

describe('net', () => {
  it('subnets', () => {
    assert.equal(subnetOf('192.168.1.151', 24), '192.168.1.0/24')
    assert.equal(subnetOf('10.1.2.3', 16), '10.1.0.0/16')
    assert.ok(inSubnet('192.168.1.151', '192.168.1.200', 24))
    assert.ok(!inSubnet('192.168.1.151', '192.168.1.200', 26))
  })
  it('network and broadcast addresses', () => {
    assert.equal(isNetworkOrBroadcast('192.168.1.0', 24), 'network')
    assert.equal(isNetworkOrBroadcast('192.168.1.255', 24), 'broadcast')
    assert.equal(isNetworkOrBroadcast('192.168.1.200', 24), undefined)
    assert.equal(isNetworkOrBroadcast('192.168.1.1', 32), undefined)
  })
  it('export clients as exports(5) has them', () => {
    for (const ok of ['*', '192.168.1.0/24', '10.0.0.0/255.255.0.0', '192.168.1.20', 'client1', '*.example.com', 'host?.lan', '@trusted']) assert.ok(isExportClient(ok), ok)
    for (const bad of ['192.168.1.0/33', 'a b', '192.168.1.300', '10.0.0.0/255.0.255.0', '-bad', '']) assert.ok(!isExportClient(bad), bad)
  })
})

describe('paths', () => {
  it('formats and splits', () => {
    assert.equal(formatPath(['nodes', 1, 'ssh', 'port']), 'nodes[1].ssh.port')
    assert.deepEqual(splitPath('nfs.exports[0].options[2]'), ['nfs', 'exports', 0, 'options', 2])
  })
})
