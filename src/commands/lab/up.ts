import {Flags} from '@oclif/core'
import {LabPlainCommand} from '../../lab/lab-plain-command.js'
import {labUp, CLIENT_COMMAND, type LabUpResult} from '../../lab/index.js'

export default class LabUp extends LabPlainCommand {
  static summary = 'Boot the two-node QEMU lab'
  static description =
    'Builds the base image once (cached by recipe hash), wires a private network in namespaces, boots node1 and node2 ' +
    'and writes a ready cluster file. A lab already running (or left by a crash) is removed first.'
  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --rebuild']
  static enableJsonFlag = true
  static flags = {
    rebuild: Flags.boolean({description: 'rebuild the base image even if it is cached'}),
  }

  async run(): Promise<LabUpResult> {
    const {flags} = await this.parse(LabUp)
    const result = await labUp({rebuild: flags.rebuild})
    const bin = this.config.bin
    this.log(`Lab is up: ${result.guests.map((g) => `${g.name} ${g.address}`).join(', ')}; VIP ${result.vip}`)
    this.log(`  image ${result.imageHash} (${result.cached ? 'cached' : `built in ${(result.buildMs / 1000).toFixed(0)} s`}), boot ${(result.bootMs / 1000).toFixed(1)} s, -accel ${result.accel}`)
    this.log(`Cluster file: ${result.clusterFile}`)
    this.log('Run hapair inside the lab network:')
    this.log(`  ${CLIENT_COMMAND} ${bin} <command> --config ${result.clusterFile}`)
    this.log(`  (or: ${bin} lab exec -- ${bin} <command> --config ${result.clusterFile})`)
    this.log(`SSH: ${bin} lab ssh node1   Faults: ${bin} lab fault --help   Remove: ${bin} lab down`)
    return result
  }
}
