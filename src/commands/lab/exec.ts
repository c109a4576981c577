import {Command} from '@oclif/core'
import {CLIENT_COMMAND, clientExecInteractive} from '../../lab/index.js'

export default class LabExec extends Command {
  static summary = 'Run a command inside the lab network (the client namespace)'
  static description = `Same as \`${CLIENT_COMMAND} COMMAND...\`: from there the guests, the VIP and namespace nodes are reachable.`
  static examples = [
    '<%= config.bin %> <%= command.id %> -- ping -c1 192.168.77.100',
    '<%= config.bin %> <%= command.id %> -- nfs-ls nfs://192.168.77.100/data',
  ]
  static strict = false

  async run(): Promise<void> {
    const {argv} = await this.parse(LabExec)
    const command = argv as string[]
    if (command.length === 0) this.error('give a command to run, e.g. hapair lab exec -- ip addr', {exit: 2})
    const code = await clientExecInteractive(command)
    if (code !== 0) this.exit(code)
  }
}
