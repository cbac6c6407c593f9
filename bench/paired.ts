/**
 * Ratios from interleaved rounds. Each round runs every variant once, seconds apart, so the ratio of
 * two variants within a round shares that round's machine state (a burst of other work, a CPU that
 * got slower); the median of those per-round ratios is what `npm run bench` judges a goal by. The
 * ratio of the two bests is printed beside it: on a noisy machine the two bests may come from
 * different rounds.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface PairedRatio {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

/** a / b in every round that measured both (wall seconds per variant per round). */
export function pairedRatio<K extends string>(rounds: readonly Partial<Record<K, number>>[], a: K, b: K): PairedRatio {
  const ratios = rounds.flatMap((r) => {
    const x = r[a];
    const y = r[b];
    return x !== undefined && y !== undefined && y > 0 ? [x / y] : [];
  });
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), rounds: ratios.length };
}
