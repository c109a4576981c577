import {test} from 'node:test'
import assert from 'node:assert/strict'
import {RECIPE, recipeEnv, recipeHash, mirrorsFromSources} from '../../../src/lab/recipe.js'

const assets = {'build-image.sh': 'echo build', 'initramfs-init.sh': 'echo init'}

test('the recipe hash is stable and independent of asset order', () => {
  const reversed = {'initramfs-init.sh': 'echo init', 'build-image.sh': 'echo build'}
  assert.equal(recipeHash(RECIPE, assets), recipeHash(RECIPE, reversed))
  assert.match(recipeHash(RECIPE, assets), /^[0-9a-f]{16}$/)
})

test('the recipe hash changes with a package, an asset, or an asset name', () => {
  const base = recipeHash(RECIPE, assets)
  assert.notEqual(recipeHash({...RECIPE, repoPackages: [...RECIPE.repoPackages, 'nginx']}, assets), base)
  assert.notEqual(recipeHash(RECIPE, {...assets, 'build-image.sh': 'echo build2'}), base)
  assert.notEqual(recipeHash(RECIPE, {'build-image2.sh': 'echo build', 'initramfs-init.sh': 'echo init'}), base)
})

test('the HA packages go to the local repository, not into the image', () => {
  for (const pkg of ['drbd-utils', 'keepalived', 'heartbeat', 'corosync', 'pacemaker', 'crmsh', 'pcs', 'resource-agents', 'nfs-kernel-server', 'ipvsadm']) {
    assert.ok(RECIPE.repoPackages.includes(pkg), pkg)
    assert.ok(!RECIPE.basePackages.includes(pkg), pkg)
  }
  for (const pkg of ['systemd-sysv', 'openssh-server', 'udev', 'kmod', 'iproute2']) assert.ok(RECIPE.basePackages.includes(pkg), pkg)
})

test('recipeEnv passes space-separated lists and the mirrors', () => {
  const env = recipeEnv(RECIPE, {mirror: 'http://m/debian', securityMirror: 'http://m/debian-security'})
  assert.equal(env.LAB_SUITE, 'bookworm')
  assert.equal(env.LAB_MIRROR, 'http://m/debian')
  assert.equal(env.LAB_REPO_PACKAGES.split(' ').length, RECIPE.repoPackages.length)
  assert.equal(env.LAB_ROOT_SIZE, RECIPE.rootSize)
})

test('mirrorsFromSources reads deb822 and one-line sources', () => {
  const deb822 = 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\n'
  assert.deepEqual(mirrorsFromSources(deb822), {mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security'})
  const oneLine = 'deb [arch=amd64] http://ftp.example.org/debian/ bookworm main\n'
  assert.deepEqual(mirrorsFromSources(oneLine), {mirror: 'http://ftp.example.org/debian', securityMirror: 'http://ftp.example.org/debian-security'})
  assert.equal(mirrorsFromSources('deb https://packages.cloud.google.com/apt cloud-sdk main\n'), undefined)
})
