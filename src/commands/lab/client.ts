import {Args} from '@oclif/core'
import {LabPlainCommand} from '../../lab/lab-plain-command.js'
import {DRILL_CLIENT, drillClientDown, drillClientUp, drillClientYaml} from '../../lab/index.js'

export default class LabClient extends LabPlainCommand {
  static summary = `Boot or stop the lab's drill client (${DRILL_CLIENT.name}, ${DRILL_CLIENT.address})`
  static description = [
    `A third guest, not a cluster node, with a kernel NFS client: the machine a failover drill writes`,
    `from when the cluster file names it (drill.client). \`up\` boots it fresh and prints the line to add`,
    `to a copy of the lab's cluster file; \`down\` powers it off. \`hapair lab down\` removes it too.`,
  ].join('\n')
  static examples = [
    '<%= config.bin %> <%= command.id %> up',
    '<%= config.bin %> <%= command.id %> down',
  ]
  static enableJsonFlag = true
  static args = {
    action: Args.string({description: 'up or down', required: true, options: ['up', 'down']}),
  }

  async run(): Promise<{action: string; name: string; address: string; drillYaml?: string; bootMs?: number; stopped?: boolean}> {
    const {args} = await this.parse(LabClient)
    const who = {action: args.action, name: DRILL_CLIENT.name, address: DRILL_CLIENT.address}
    if (args.action === 'down') {
      const stopped = await drillClientDown()
      this.log(stopped ? `${DRILL_CLIENT.name} powered off.` : `${DRILL_CLIENT.name} was not running.`)
      return {...who, stopped}
    }
    const times = await drillClientUp()
    const drillYaml = drillClientYaml()
    this.log(`${DRILL_CLIENT.name} is up at ${DRILL_CLIENT.address}. To drill from it, add to a copy of the lab's cluster file:\n  ${drillYaml}`)
    return {...who, drillYaml, ...times}
  }
}
