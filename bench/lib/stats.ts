/** Small, dependency-free helpers for turning samples into figures and figures into text. */

/** Median of a non-empty list; the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Relative spread of a list: (max / min) - 1, so 0.3 means the largest is 30% above the smallest. */
export function spread(values: readonly number[]): number {
  return Math.max(...values) / Math.min(...values) - 1;
}

/** Arithmetic mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Pearson's correlation of two lists of equal length (NaN when either does not vary). */
export function correlation(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length < 2) throw new RangeError('correlation needs two lists of equal length, at least 2');
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Operations per second, to three significant figures with a unit: "4.12 M/s", "812 k/s". */
export function formatRate(opsPerSecond: number): string {
  // The unit is chosen after rounding to three digits: 999,700 is "1.00 M/s", not "1.00e+3 k/s".
  const rounded = Number(opsPerSecond.toPrecision(3));
  if (rounded >= 1e6) return `${(rounded / 1e6).toPrecision(3)} M/s`;
  if (rounded >= 1e3) return `${(rounded / 1e3).toPrecision(3)} k/s`;
  return `${rounded.toPrecision(3)} /s`;
}

/** A ratio as "2.41x". */
export function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}x`;
}

/** Nanoseconds per operation for a rate, rounded: the unit in which flatness is easiest to read. */
export function nsPerOp(opsPerSecond: number): number {
  return Math.round(1e9 / opsPerSecond);
}

/** Renders rows as aligned columns; the first row is the header, the first column is left-aligned. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('   ');
  const [header, ...body] = rows;
  return [line(header ?? []), rule, ...body.map(line)].join('\n');
}
