/**
 * Medians and the median-centring used before tail-index estimation in 2106.03795 (docs/papers.md
 * §B.4). Everything is f64.
 */

export type Samples = Float64Array | Float32Array | readonly number[];

/** Median with the two middle values averaged for an even count (as numpy). NaN when empty. */
export function median(x: Samples): number {
  const n = x.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(x).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? s[mid] : 0.5 * (s[mid - 1] + s[mid]);
}

/** x − median(x). */
export function centreByMedian(x: Samples): Float64Array {
  const m = median(x);
  return Float64Array.from(x, (v) => v - m);
}

function checkShape(x: Samples, n: number, d: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || x.length !== n * d) {
    throw new Error(`shape ${n}×${d} does not match ${x.length} values`);
  }
}

/** Row-major n×d: subtracts from each column its median over the rows. */
export function centreColumnsByMedian(x: Samples, n: number, d: number): Float64Array {
  checkShape(x, n, d);
  const out = Float64Array.from(x);
  const col = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = out[i * d + j];
    const m = median(col);
    for (let i = 0; i < n; i++) out[i * d + j] -= m;
  }
  return out;
}

/** Euclidean norm of each row of a row-major n×d matrix. */
export function rowNorms(x: Samples, n: number, d: number): Float64Array {
  checkShape(x, n, d);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}
