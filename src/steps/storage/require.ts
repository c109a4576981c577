/** Config sections the storage, DRBD and filesystem steps cannot work without. */
import type {ClusterConfig} from '../../config/schema.js'
import {UsageError} from '../../errors.js'

export function requireStorage(config: ClusterConfig): NonNullable<ClusterConfig['storage']> {
  if (!config.storage) {
    throw new UsageError('the cluster file has no `storage:` section', 'add e.g. `storage: { disk: /dev/vdb, partition: { number: 1, size: rest } }`')
  }
  return config.storage
}

export function requireFilesystem(config: ClusterConfig): NonNullable<ClusterConfig['filesystem']> {
  if (!config.filesystem) {
    throw new UsageError('the cluster file has no `filesystem:` section', 'add e.g. `filesystem: { type: ext4, mountPoint: /data }`')
  }
  return config.filesystem
}
