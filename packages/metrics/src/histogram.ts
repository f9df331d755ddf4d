/**
 * Default bucket bounds of the latency histograms, in seconds: 5 ms to 30 s
 * (30 s is the longest integration timeout, aws-semantics §3.1).
 */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])

/**
 * A histogram's state for one label set: per-bucket counts (not cumulative; cumulated at scrape), sum and count.
 * Values are milliseconds, placed against the bounds in milliseconds; the exposition converts the sum to seconds.
 */
export class HistogramCell {
  readonly counts: Float64Array
  sum = 0
  count = 0

  constructor(buckets: number) {
    // one more slot for observations above the last bound (+Inf)
    this.counts = new Float64Array(buckets + 1)
  }

  /** Records one value (ms) against `boundsMs`: a linear scan over a dozen bounds beats a binary search at this size. */
  observe(boundsMs: readonly number[], value: number): void {
    let i = 0
    const n = boundsMs.length
    while (i < n && value > (boundsMs[i] as number)) i++
    this.counts[i] = (this.counts[i] as number) + 1
    this.sum += value
    this.count++
  }
}
