/**
 * Reads the cluster file and reports every problem in it at once, before any SSH connection:
 * YAML syntax (with line and column), schema problems (unknown keys with a did-you-mean, missing
 * keys, bad values) and cross-field rules (validate.ts). Each problem carries its path, a fix and,
 * where the YAML tells us, a line. Any problem is a ConfigError (exit code 2).
 */
import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import {LineCounter, parseDocument} from 'yaml'
import {ConfigError, type ConfigProblem} from '../errors.js'
import {clusterSchema, nodeSchema, type ClusterConfig, type Secrets} from './schema.js'
import {stackOf} from '../stacks/registry.js'
import {loadOrCreateSecrets, secretsPathFor} from './secrets.js'
import {unsafeValueProblems} from './safe-values.js'
import {crossCheck} from './validate.js'
import {dnsResolveName, resolveNodes, type ResolveDeps} from './resolve-nodes.js'
import {readSshConfig, sshConfigLookup} from '../transport/ssh-config.js'
import {yamlToJS} from './yaml-to-js.js'
import {formatPath, splitPath, YamlPositions} from './yaml-positions.js'
import {issuesToProblems} from './zod-problems.js'

export interface LoadedCluster {
  config: ClusterConfig
  secrets: Secrets
  /** Absolute path of the cluster file. */
  file: string
  secretsFile: string
  /** sha256 (hex) of the cluster file's bytes; the state file records it to notice edits. */
  hash: string
}

export interface ParseResult {
  /** Set only when there are no problems. */
  config?: ClusterConfig
  problems: ConfigProblem[]
  /** The file's data as written (before defaults), when it parsed: tells keys the file sets from defaults. */
  raw?: unknown
}

export interface LoadOptions {
  createSecrets?: boolean
  /** For tests: the ~/.ssh/config and name lookups (default: the user's file, or $HAPAIR_SSH_CONFIG, and DNS). */
  resolve?: ResolveDeps
}

/** ~/.ssh/config, or the file $HAPAIR_SSH_CONFIG names (`none`: no file), and this machine's resolver. */
export function defaultResolveDeps(): ResolveDeps {
  const file = process.env.HAPAIR_SSH_CONFIG
  return {sshConfig: file === 'none' ? sshConfigLookup('') : readSshConfig(file || undefined), resolveName: dnsResolveName}
}

/**
 * Reads, validates and returns the cluster file with its secrets (generated on first use,
 * unless `createSecrets` is false). Throws ConfigError listing every problem.
 */
export async function loadCluster(file: string, opts: LoadOptions = {}): Promise<LoadedCluster> {
  const path = resolve(file)
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const message = code === 'ENOENT' ? 'the cluster file does not exist' : `cannot read the cluster file (${code ?? String(error)})`
    throw new ConfigError(path, [{path: '', message, fix: code === 'ENOENT' ? 'run `hapair init` to create it, or point at it with --config FILE' : 'check the file permissions'}])
  }
  const parsed = parseClusterText(bytes.toString('utf8'))
  if (!parsed.config) throw new ConfigError(path, parsed.problems)
  // The rules ran on what the file says; run them again on what the names resolved to.
  const resolved = await resolveNodes(parsed.config, parsed.raw, opts.resolve ?? defaultResolveDeps())
  const problems = resolved.problems.length ? resolved.problems : crossCheck(resolved.config)
  if (problems.length) throw new ConfigError(path, problems)
  const config = resolved.config
  const secretsFile = secretsPathFor(path)
  const secrets = await loadOrCreateSecrets(secretsFile, {create: opts.createSecrets ?? true})
  const {manager, service} = stackOf(config)
  const missing = [...(manager.secretRules?.(config, secrets) ?? []), ...(service.secretRules?.(config, secrets) ?? [])]
  if (missing.length) throw new ConfigError(secretsFile, missing)
  return {config, secrets, file: path, secretsFile, hash: createHash('sha256').update(bytes).digest('hex')}
}

/** Pure: the text of a cluster file to a config, or to every problem in it. */
export function parseClusterText(text: string): ParseResult {
  const lines = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lines, prettyErrors: false})
  if (doc.errors.length > 0) {
    // Past a syntax error the structure is guesswork; schema problems would only mislead.
    return {
      problems: doc.errors.map((e) => {
        const {line, col} = lines.linePos(e.pos[0])
        return {
          path: '',
          message: `YAML syntax: ${e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '')}`,
          fix: yamlFix(e.code),
          line,
          column: col,
        }
      }),
    }
  }
  const js = yamlToJS(doc)
  if (js.problem) return {problems: [{path: '', message: js.problem, fix: 'write the values out in full', line: 1, column: 1}]}
  const data: unknown = js.value
  if (data === null || data === undefined) {
    return {problems: [{path: '', message: 'the file is empty', fix: 'run `hapair init` to write a cluster file, or copy the example from the README'}]}
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {problems: [{path: '', message: `the file holds ${Array.isArray(data) ? 'a list' : 'a single value'}, not a map of keys`, fix: 'start from the example cluster file: `name:`, `stack:`, `nodes:`, `vip:`, ...', line: 1, column: 1}]}
  }

  const positions = new YamlPositions(doc, lines)
  const parsed = clusterSchema.safeParse(data)
  const problems: ConfigProblem[] = []
  if (!parsed.success) {
    for (const p of issuesToProblems(clusterSchema, parsed.error.issues, data)) {
      const at =
        p.anchor === 'key'
          ? positions.keyAt(p.segments.slice(0, -1), String(p.segments[p.segments.length - 1]))
          : p.anchor === 'missing'
            ? positions.parentOf(p.segments)
            : positions.valueAt(p.segments)
      problems.push({path: formatPath(p.segments), message: p.message, fix: p.fix, ...(at && {line: at.line, column: at.column})})
    }
  }
  // Cross-field rules also run on a half-valid file, but stay quiet where the schema already spoke.
  const config = parsed.success ? parsed.data : bestEffort(data as Record<string, unknown>)
  for (const p of [...unsafeValueProblems(data), ...crossCheck(config)]) {
    if (problems.some((q) => q.path === p.path || p.path.startsWith(`${q.path}.`) || p.path.startsWith(`${q.path}[`))) continue
    const segments = splitPath(p.path)
    const at = positions.valueAt(segments, {exact: true}) ?? positions.parentOf(segments)
    problems.push({...p, ...(at && {line: at.line, column: at.column})})
  }
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0))
  return problems.length ? {problems} : {config: withStackDefaults(parsed.data!), problems, raw: data}
}

/**
 * A manager whose section may be left out (heartbeat, pacemaker) gets its defaults, so templates
 * can rely on its section being there for its stack.
 */
function withStackDefaults(config: ClusterConfig): ClusterConfig {
  const {manager} = stackOf(config)
  if (config[manager.section] || !manager.sectionDefaults) return config
  return {...config, [manager.section]: manager.sectionDefaults()}
}

/** Each section that passes the schema on its own gets its defaults; the rest stays raw. */
function bestEffort(data: Record<string, unknown>): ClusterConfig {
  const out: Record<string, unknown> = {...data}
  for (const [key, schema] of Object.entries(clusterSchema.shape)) {
    if (key === 'nodes' && Array.isArray(data.nodes)) {
      out.nodes = data.nodes.map((n) => {
        const r = nodeSchema.safeParse(n)
        return r.success ? r.data : n
      })
      continue
    }
    const r = (schema as typeof clusterSchema.shape.drbd).safeParse(data[key])
    if (r.success) out[key] = r.data
  }
  return out as ClusterConfig
}

function yamlFix(code: string): string {
  switch (code) {
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'indent with spaces, keep items of one map at the same column, and close every quote and bracket'
    case 'DUPLICATE_KEY':
      return 'remove or merge the repeated key'
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'put nested keys on their own indented lines, or quote a value that contains ": "'
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs'
    default:
      return 'fix the YAML syntax at this line (quote values containing ": " or " #")'
  }
}
