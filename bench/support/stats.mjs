// Percentiles of a benchmark's samples.

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** p50, p99 and mean of `samples`. */
export function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: sorted.reduce((sum, sample) => sum + sample, 0) / sorted.length,
  };
}
