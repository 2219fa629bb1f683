/**
 * Mean ± sample standard deviation over seeds (a Summary), grouped by a key, and how a summary
 * is printed, plotted (error bar) and written to CSV.
 */

export interface Summary {
  mean: number;
  sd: number;
  n: number;
  /** The finite values summarised, in input order (per seed), for the rank statistics. */
  values?: number[];
}

export function summarise(values: number[]): Summary {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, sd: NaN, n: 0, values: [] };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n, values: v };
}

/** Groups rows by `keyOf` (insertion order kept) and summarises each numeric field asked for. */
export function groupSummaries<T>(
  rows: T[],
  keyOf: (r: T) => string,
  fields: Record<string, (r: T) => number>,
): { key: string; first: T; stats: Record<string, Summary> }[] {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups].map(([key, g]) => ({
    key,
    first: g[0],
    stats: Object.fromEntries(
      Object.entries(fields).map(([name, f]) => [name, summarise(g.map(f))]),
    ),
  }));
}

/** "mean ± sd" ("mean" for one value; "–" for none, or for a group that is missing). */
export function formatSummary(s: Summary | undefined, digits = 1): string {
  if (!s || s.n === 0) return "–";
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** The error bar of a summary: its sd, or null below 2 values (no bar). */
export function errorBar(s: Summary): number | null {
  return s.n > 1 ? s.sd : null;
}

/** Flat CSV columns for a summary: <name>Mean, <name>Sd (empty below 2 values), <name>N. */
export function summaryColumns(name: string, s: Summary): Record<string, number | null> {
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    [`${name}Mean`]: num(s.mean),
    [`${name}Sd`]: s.n > 1 ? num(s.sd) : null,
    [`${name}N`]: s.n,
  };
}
