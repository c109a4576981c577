/**
 * hapair's help class (package.json `oclif.helpClass`; scripts/manifest.js renders the
 * pre-built pages with it too): oclif's help, with every line fitted to the width oclif was
 * given (the terminal's, or OCLIF_COLUMNS). oclif itself leaves the summary line and plain
 * example commands unwrapped, so at 80 columns they ran past the edge.
 */
import {Help} from '@oclif/core'
import {fitLines} from './fit-lines.js'

export default class HapairHelp extends Help {
  protected log(...args: string[]): void {
    const width = this.opts.maxWidth
    super.log(...(width ? args.map((text) => fitLines(text, width)) : args))
  }
}
