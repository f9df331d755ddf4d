/** The eight `cacheClusterSize` values of a REST stage, in GB (aws-semantics §7). */
export const CACHE_CLUSTER_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const

/** One of {@link CACHE_CLUSTER_SIZES}. */
export type CacheClusterSize = (typeof CACHE_CLUSTER_SIZES)[number]

/** AWS's default size when a stage enables its cache without naming one (§7). */
export const DEFAULT_CACHE_CLUSTER_SIZE: CacheClusterSize = '0.5'

/**
 * The byte bound of a memory cache for a `cacheClusterSize` (GB = 2^30
 * bytes): the most the stage's entries may occupy in the process.
 * @example
 * cacheClusterBytes('0.5') // 536870912
 */
export function cacheClusterBytes(size: CacheClusterSize): number {
  return Math.round(Number(size) * 1024 * 1024 * 1024)
}
