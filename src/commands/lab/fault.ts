import {Args} from '@oclif/core'
import {LabPlainCommand} from '../../lab/lab-plain-command.js'
import {FAULTS, GUESTS, faultNeedsNode, injectFault, type FaultName} from '../../lab/index.js'

export default class LabFault extends LabPlainCommand {
  static summary = 'Inject a fault into the lab (for drills)'
  static description = [
    'power-off NODE   pull the plug (SIGKILL its qemu)',
    'power-on NODE    boot it again from the same disks and wait for SSH',
    'pause NODE       freeze it (a hang); resume NODE unfreezes it',
    'link-down NODE   cut its network cable; link-up NODE reconnects it',
    'split            cut only node1<->node2 (split brain); the client still reaches both',
    'heal             undo split',
    'restore          undo every fault',
].join('\n')
  static examples = ['<%= config.bin %> <%= command.id %> power-off node1', '<%= config.bin %> <%= command.id %> split']
  static enableJsonFlag = true
  static args = {
    fault: Args.string({description: 'the fault', required: true, options: [...FAULTS]}),
    node: Args.string({description: 'the guest', options: GUESTS.map((g) => g.name)}),
  }

  async run(): Promise<{fault: string; node: string | null}> {
    const {args} = await this.parse(LabFault)
    if (faultNeedsNode(args.fault as FaultName) && !args.node) this.error(`${args.fault} needs a node: node1 or node2`, {exit: 2})
    await injectFault(args.fault as FaultName, args.node)
    this.log(`${args.fault}${args.node ? ` ${args.node}` : ''}: done`)
    return {fault: args.fault, node: args.node ?? null}
  }
}
