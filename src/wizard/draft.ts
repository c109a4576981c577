/**
 * The wizard's answers kept when the cluster file could not be written: the same YAML `init`
 * would have written, beside it as `<file>.draft`, so nothing typed is lost. No secrets are in
 * it (they live in the secrets file, generated only when the real file is written).
 */
import {writeFileAtomic} from '../config/atomic-write.js'
import {renderClusterYaml, type ClusterInput} from '../config/save.js'

export function draftPathFor(file: string): string {
  return `${file}.draft`
}

export async function saveDraft(file: string, input: ClusterInput): Promise<string> {
  const draft = draftPathFor(file)
  await writeFileAtomic(draft, renderClusterYaml(input, {fileName: file}))
  return draft
}
