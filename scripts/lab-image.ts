/**
 * Builds the lab's base image when it is not cached, and nothing else. scripts/test.js starts it
 * beside the unit suite: the build is mostly downloads and native dpkg work, the unit suite is
 * CPU, and on a fresh machine the lab part no longer begins with three minutes of image build.
 */
import {ensureImage, labPaths, missingPrerequisites} from '../src/lab/index.js'

const missing = missingPrerequisites({build: true})
if (missing.length) {
  // The lab suite asserts its prerequisites and says what is missing; nothing to build here.
  console.log(`lab image: not built here (missing: ${missing.join(', ')})`)
  process.exit(0)
}
const {image, cached, buildMs} = await ensureImage(labPaths(), {log: (line) => console.log(line)})
console.log(cached ? `lab image ${image.hash}: cached` : `lab image ${image.hash}: built in ${(buildMs / 1000).toFixed(1)} s`)
