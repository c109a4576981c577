/**
 * @oclif/core as bin/run.js starts it: scripts/bundle.js bundles this file with the commands,
 * hooks and help class into dist/bundle/ (lib/oclif.cjs), and all of them require the one copy of
 * @oclif/core in dist/bundle/vendor/oclif-core.cjs.
 */
export {Config, execute} from '@oclif/core'
