/**
 * CPU references of every kernel in lib/ops (gemm.ts, nn.ts), on Float32Array / Uint32Array.
 * Sums are taken in f64 and rounded to f32 once, so a reference is at least as accurate as the
 * GPU kernel it checks. The signatures mirror the GPU functions (same argument order, same
 * in-place updates) so that tests can run both on the same data.
 */
import type { GemmMode, GemmOptions } from "../ops/gemm.ts";

/** Element (row r, column k) of op(A) for an M×K product. */
function aIndex(mode: GemmMode, r: number, kk: number, m: number, k: number): number {
  return mode === "tn" ? kk * m + r : r * k + kk;
}

/** Element (k, column c) of op(B) for a K×N product. */
function bIndex(mode: GemmMode, kk: number, c: number, n: number, k: number): number {
  return mode === "nt" ? c * k + kk : kk * n + c;
}

/**
 * C[M×N] = α·op(A)·op(B) (+ C if accumulate), then max(0, ·) if relu (NaN → 0), f64
 * accumulation; see lib/ops/gemm.ts.
 */
export function gemmRef(
  mode: GemmMode,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  opts: GemmOptions = {},
): void {
  const alpha = opts.alpha ?? 1;
  for (let r = 0; r < m; r++) {
    for (let col = 0; col < n; col++) {
      let s = 0;
      for (let kk = 0; kk < k; kk++) {
        s += a[aIndex(mode, r, kk, m, k)] * b[bIndex(mode, kk, col, n, k)];
      }
      const v = alpha * s;
      const x = opts.accumulate ? v + c[r * n + col] : v;
      c[r * n + col] = opts.relu && !(x > 0) ? 0 : x;
    }
  }
}

export function reluRef(x: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) if (!(x[i] > 0)) x[i] = 0;
}

export function reluBackwardRef(grad: Float32Array, act: Float32Array, count: number): void {
  for (let i = 0; i < count; i++) if (!(act[i] > 0)) grad[i] = 0;
}

export interface SoftmaxCrossEntropyOptions {
  /** dlogits = (softmax − onehot)·gradScale; default 1/rows. */
  gradScale?: number;
  /** Row r's label is labels[labelOffset + r]. */
  labelOffset?: number;
}

/**
 * Per row: stable log-softmax in f64; rowStats[2r] = −log p[label], rowStats[2r+1] = 1 when the
 * first maximal logit is the label, else 0; dlogits (when given) = (softmax − onehot)·gradScale.
 * A label ≥ classes gives loss NaN, correct 0 and no onehot term.
 */
export function softmaxCrossEntropyRef(
  logits: Float32Array,
  labels: Uint32Array,
  dlogits: Float32Array | null,
  rowStats: Float32Array,
  rows: number,
  classes: number,
  opts: SoftmaxCrossEntropyOptions = {},
): void {
  const scale = opts.gradScale ?? 1 / rows;
  const offset = opts.labelOffset ?? 0;
  for (let r = 0; r < rows; r++) {
    const row = r * classes;
    const label = labels[offset + r];
    let max = -Infinity;
    let arg = 0;
    for (let j = 0; j < classes; j++) {
      if (logits[row + j] > max) {
        max = logits[row + j];
        arg = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(logits[row + j] - max);
    // log-sum-exp minus x_label without forming max + log(sum): exact even for |x| ~ 1e38.
    const logSum = Math.log(sum);
    rowStats[2 * r] = label < classes ? logSum + (max - logits[row + label]) : NaN;
    rowStats[2 * r + 1] = arg === label ? 1 : 0;
    if (dlogits) {
      for (let j = 0; j < classes; j++) {
        const p = Math.exp(logits[row + j] - max - logSum);
        dlogits[row + j] = (p - (j === label ? 1 : 0)) * scale;
      }
    }
  }
}

/** out[outOffset] = Σ rowStats[2r], out[outOffset+1] = Σ rowStats[2r+1], in f64. */
export function sumPairsRef(
  rowStats: Float32Array,
  rows: number,
  out: Float32Array,
  outOffset: number,
): void {
  let s0 = 0;
  let s1 = 0;
  for (let r = 0; r < rows; r++) {
    s0 += rowStats[2 * r];
    s1 += rowStats[2 * r + 1];
  }
  out[outOffset] = s0;
  out[outOffset + 1] = s1;
}

export function sgdStepRef(w: Float32Array, g: Float32Array, lr: number, count: number): void {
  for (let i = 0; i < count; i++) w[i] = w[i] - Math.fround(lr) * g[i];
}

/** avg = avg + (w − avg)·invN in f32 (invN = 1 copies w). */
export function runningMeanRef(avg: Float32Array, w: Float32Array, invN: number, count: number) {
  const inv = Math.fround(invN);
  for (let i = 0; i < count; i++) {
    avg[i] = inv === 1 ? w[i] : Math.fround(avg[i] + Math.fround(Math.fround(w[i] - avg[i]) * inv));
  }
}

export function rowSquaredNormsRef(
  w: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += w[r * cols + j] * w[r * cols + j];
    out[r] = s;
  }
}

export function maskRowsRef(w: Float32Array, rows: number, cols: number, mask: Uint32Array): void {
  for (let r = 0; r < rows; r++) {
    if (mask[r] === 0) w.fill(0, r * cols, (r + 1) * cols);
  }
}

export function gatherRowsRef(
  src: Float32Array,
  indices: Uint32Array,
  dst: Float32Array,
  count: number,
  cols: number,
  indexOffset = 0,
): void {
  for (let i = 0; i < count; i++) {
    const s = indices[indexOffset + i] * cols;
    dst.set(src.subarray(s, s + cols), i * cols);
  }
}

export function gatherLabelsRef(
  src: Uint32Array,
  indices: Uint32Array,
  dst: Uint32Array,
  count: number,
  indexOffset = 0,
): void {
  for (let i = 0; i < count; i++) dst[i] = src[indices[indexOffset + i]];
}

export function fillRef(t: Float32Array | Uint32Array, value: number, count: number): void {
  t.fill(value, 0, count);
}
