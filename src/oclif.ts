/**
 * @oclif/core as bin/run.js starts it: scripts/bundle.js bundles this file with the commands,
 * hooks and help class into dist/bundle/, so all of them share one copy of @oclif/core.
 */
export {Config, execute} from '@oclif/core'
