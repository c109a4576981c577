import {Flags} from '@oclif/core'
import {BaseCommand, hostKeyFlags, yesFlag} from '../base-command.js'
import {UsageError} from '../errors.js'

export default class Init extends BaseCommand {
  static summary = 'Write the cluster file (hapair.yaml) and generate its secrets file.'
  static description =
    'Asks for the two nodes and tests SSH to each as you go, then for the stack, VIP, disk, DRBD, filesystem and NFS, ' +
    'offering defaults read from the nodes. Interrupted (Ctrl-C), it keeps the answers given in <file>.answers.yaml for --resume. With --yes, builds the same file from flags alone (no prompts, no SSH). ' +
    'Secrets go to a separate 0600 file beside it (hapair.secrets.yaml), never into hapair.yaml. Never overwrites without --force.'

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --resume',
    '<%= config.bin %> <%= command.id %> --yes --node1 name=node1,address=192.168.1.151 --node2 name=node2,address=192.168.1.152 --vip 192.168.1.200/24 --interface eth0 --disk /dev/sdb',
    '<%= config.bin %> <%= command.id %> --yes --stack heartbeat --node1 name=ha1,address=10.0.0.11,user=admin --node2 name=ha2,address=10.0.0.12 --vip 10.0.0.100/24 --interface ens3 --disk /dev/vdb --size 10G --mount /srv/nfs',
  ]

  static flags = {
    ...hostKeyFlags,
    ...yesFlag,
    name: Flags.string({summary: 'Cluster name.'}),
    stack: Flags.string({summary: 'HA stack.', options: ['keepalived', 'heartbeat', 'pacemaker', 'lvs']}),
    node1: Flags.string({summary: 'First (preferred) node: name=NAME,address=IP|HOST[,ip=IPV4][,user=U][,port=N][,identityFile=PATH][,priority=N].'}),
    node2: Flags.string({summary: 'Second node, same form as --node1.'}),
    vip: Flags.string({summary: 'Floating IP with prefix, e.g. 192.168.1.200/24.'}),
    interface: Flags.string({summary: 'Interface that carries the VIP, e.g. eth0.'}),
    disk: Flags.string({summary: 'Blank disk to replicate, the same path on both nodes, e.g. /dev/sdb.'}),
    size: Flags.string({summary: 'DRBD partition size, e.g. 10G, or "rest" (default).'}),
    mount: Flags.string({summary: 'Mount point of the replicated filesystem (default /data).'}),
    'fs-type': Flags.string({summary: 'Filesystem type.', options: ['ext4', 'xfs']}),
    nfs: Flags.boolean({summary: 'Export the mount point over NFS (default); --no-nfs for none.', allowNo: true}),
    'export-clients': Flags.string({summary: 'NFS clients allowed: *, a host, an IP or a CIDR (default: the VIP subnet).'}),
    vrid: Flags.integer({summary: 'keepalived virtual router id, 1-255 (default 51).', min: 1, max: 255}),
    'real-server': Flags.string({summary: 'lvs stack: a real server, name=NAME,address=IP[,port=N]; repeat the flag for more.', multiple: true}),
    'ssh-user': Flags.string({summary: 'SSH user for both nodes (default root).'}),
    'ssh-port': Flags.integer({summary: 'SSH port for both nodes (default 22).', min: 1, max: 65535}),
    'identity-file': Flags.string({summary: 'SSH private key for both nodes (default: ssh-agent, then ~/.ssh/id_*).'}),
    force: Flags.boolean({summary: 'Replace an existing cluster file (its secrets file is kept).', default: false}),
    resume: Flags.boolean({summary: 'Go on from the answers an interrupted wizard kept (<file>.answers.yaml): they become the defaults; flags given still win.', default: false}),
  }

  async run() {
    const {flags} = await this.parse(Init)
    if (flags.yes) {
      const {initFromFlags} = await import('../wizard/non-interactive.js')
      const result = await initFromFlags(flags.config, flags, {force: flags.force})
      this.log(`Wrote ${result.file}${result.replaced ? ' (replaced)' : ''}.`)
      this.log(result.secretsCreated ? `Generated secrets into ${result.secretsFile} (mode 0600).` : `Kept the existing secrets in ${result.secretsFile}.`)
      return result
    }
    if (!this.interactive) {
      throw new UsageError('hapair init asks questions, but there is no terminal to ask at', 'pass --yes with --node1, --node2, --vip, --interface and --disk to write the file from flags')
    }
    // The wizard's prompts, SSH and the ssh_config reader are loaded only when the wizard runs.
    const [{runWizard}, {inquirerPrompter}, {connectHost}, {defaultResolveDeps}, {loadProgress}] = await Promise.all([
      import('../wizard/interactive.js'), import('../wizard/prompter.js'), import('../transport/ssh-connect.js'), import('../config/load.js'), import('../wizard/progress.js'),
    ])
    const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined))
    const defaults = flags.resume ? {...loadProgress(flags.config), ...given} : flags
    return runWizard({file: flags.config, force: flags.force, acceptNewHostKeys: flags['accept-new-host-keys'], prompt: inquirerPrompter(), connect: connectHost, defaults, sshConfig: defaultResolveDeps().sshConfig})
  }
}
