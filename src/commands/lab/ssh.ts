import {Args, Command} from '@oclif/core'
import {CLIENT_COMMAND, clientExecInteractive, guestSpec, labPaths, sshArgv} from '../../lab/index.js'

export default class LabSsh extends Command {
  static summary = 'Open a shell on a lab guest, or run a command there'
  static description = `Runs ssh with the lab key and pinned host keys, from the client namespace (${CLIENT_COMMAND}).`
  static examples = ['<%= config.bin %> <%= command.id %> node1', '<%= config.bin %> <%= command.id %> node2 -- cat /proc/drbd']
  static strict = false
  static args = {
    node: Args.string({description: 'node1 or node2', required: true}),
  }

  async run(): Promise<void> {
    const {args, argv} = await this.parse(LabSsh)
    const command = (argv as string[]).slice(1)
    const code = await clientExecInteractive(
      sshArgv(guestSpec(args.node).address, labPaths(), command, {tty: command.length === 0 && process.stdin.isTTY}),
    )
    if (code !== 0) this.exit(code)
  }
}
