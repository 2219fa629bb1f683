/**
 * Bulk stable samples on the GPU (kernels/stable_fill.wgsl), for the sampler CLI, the estimator
 * checks and the tests. Sample i uses the words of counter (offset + i, step, 0, 0) under key
 * (seed, stream); the same index always gives the same value whatever the chunking or grid.
 */
import { STABLE_FILL } from "../gpu/kernels.ts";
import { type Gpu, groups1d, type Tensor } from "../gpu/runtime.ts";
import { injectNoise } from "./inject.ts";
import { type NoiseSpec, validateNoiseSpec } from "./spec.ts";

/** "sas": SαS(α, 1); "positive": the positive (α/2)-stable with Laplace transform exp(−u^{α/2}). */
export type StableKind = "sas" | "positive";
export const STABLE_KINDS: readonly StableKind[] = ["sas", "positive"];

export interface StableFillOptions {
  kind: StableKind;
  alpha: number;
  seed: number;
  stream?: number;
  step?: number;
  /** Index of the first sample (counter word 0). */
  offset?: number;
  workgroupSize?: number;
  maxGroups?: number;
}

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new Error(`${name}: ${v} must be an integer in [0, 2^32)`);
  }
}

/** Validates α for a sampler kind: (0, 2] for SαS, (0, 2) for the positive stable. */
export function validateStableAlpha(kind: StableKind, alpha: number): void {
  if (!STABLE_KINDS.includes(kind)) throw new Error(`kind: "${kind}" is not sas or positive`);
  if (typeof alpha !== "number" || !(alpha > 0 && alpha <= 2)) {
    throw new Error(`alpha: ${alpha} must be in (0, 2]`);
  }
  if (kind === "positive" && alpha === 2) {
    throw new Error("alpha: the positive (α/2)-stable needs α < 2 (it is the constant 1 at α = 2)");
  }
}

/** Writes `n` samples into `out` (f32) and submits. */
export function fillStable(gpu: Gpu, out: Tensor, n: number, opts: StableFillOptions): void {
  validateStableAlpha(opts.kind, opts.alpha);
  if (!Number.isInteger(n) || n < 0 || n > out.size) {
    throw new Error(`n: ${n} must be an integer in [0, ${out.size}] (the tensor's size)`);
  }
  const [seed, stream, step, offset] = [
    opts.seed,
    opts.stream ?? 0,
    opts.step ?? 0,
    opts.offset ?? 0,
  ];
  checkU32("seed", seed);
  checkU32("stream", stream);
  checkU32("step", step);
  checkU32("offset", offset);
  const wg = opts.workgroupSize ?? 64;
  const kernel = gpu.kernel(STABLE_FILL, { WG: wg }, `fill_${opts.kind}`);
  let g = groups1d(gpu, n, wg);
  if (opts.maxGroups !== undefined && g[0] * g[1] > opts.maxGroups) g = [opts.maxGroups, 1, 1];
  const params = { seed, stream, step, offset, n, alpha: opts.alpha };
  gpu.batch().dispatch(kernel, { out }, g, params).submit();
}

/** Largest sample count of one request: the counter's index word is 32 bits. */
export const MAX_SAMPLES = 2 ** 32 - 1;

/**
 * Generates `n` samples in chunks of at most `chunk` (default 2²⁴, 64 MiB) and hands each chunk to
 * `onChunk` with the index of its first sample, in order; the chunk's array is reused, so copy what
 * must outlive the call. Only one chunk is ever held, so n can exceed any binding or host budget.
 */
export async function streamStable(
  gpu: Gpu,
  n: number,
  opts: StableFillOptions & { chunk?: number },
  onChunk: (samples: Float32Array, start: number) => void | Promise<void>,
): Promise<void> {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SAMPLES) {
    throw new Error(`n: ${n} must be an integer in [0, 2^32)`);
  }
  validateStableAlpha(opts.kind, opts.alpha);
  const offset = opts.offset ?? 0;
  if (offset + n > 2 ** 32) throw new Error(`offset + n: ${offset + n} exceeds 2^32 counters`);
  const chunk = Math.min(n, opts.chunk ?? 1 << 24);
  if (n === 0) return;
  const buf = gpu.tensor([chunk], "f32", "stable samples");
  try {
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      fillStable(gpu, buf, count, { ...opts, offset: offset + start });
      const bytes = await gpu.readBytes(buf.buffer, count * 4);
      await onChunk(new Float32Array(bytes), start);
    }
  } finally {
    buf.destroy();
  }
}

/** `n` samples read back to the host, generated in chunks of at most `chunk` samples. */
export async function sampleStable(
  gpu: Gpu,
  n: number,
  opts: StableFillOptions & { chunk?: number },
): Promise<Float32Array> {
  if (!Number.isInteger(n) || n < 0) throw new Error(`n: ${n} must be a non-negative integer`);
  const result = new Float32Array(n);
  await streamStable(gpu, n, opts, (x, start) => result.set(x, start));
  return result;
}

export interface NoiseSampleOptions {
  spec: NoiseSpec;
  rows: number;
  cols: number;
  lr?: number;
  seed: number;
  layer?: number;
  step?: number;
}

/**
 * The noise increment that `injectNoise` adds to a zero rows×cols matrix, handed to `onChunk` in
 * blocks of whole rows (at most `chunkElements` elements, default 2²⁴) with the index of the first
 * element; the blocks concatenate to exactly what one dispatch over the whole matrix adds.
 */
export async function streamNoise(
  gpu: Gpu,
  opts: NoiseSampleOptions & { chunkElements?: number },
  onChunk: (samples: Float32Array, start: number) => void | Promise<void>,
): Promise<void> {
  const spec = validateNoiseSpec(opts.spec);
  const { rows, cols } = opts;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new Error(`rows, cols: ${rows}, ${cols} must be positive integers`);
  }
  if (rows * cols > MAX_SAMPLES) throw new Error(`rows·cols: ${rows * cols} is 2^32 or more`);
  const blockRows = Math.max(1, Math.floor((opts.chunkElements ?? 1 << 24) / cols));
  for (let row = 0; row < rows; row += blockRows) {
    const count = Math.min(blockRows, rows - row);
    const w = gpu.tensor([count, cols], "f32", "noise sample"); // zero-filled
    try {
      const batch = gpu.batch();
      injectNoise(gpu, batch, w, count, cols, {
        spec,
        lr: opts.lr ?? 1,
        seed: opts.seed,
        layer: opts.layer ?? 0,
        step: opts.step ?? 0,
        firstRow: row,
      });
      batch.submit();
      await onChunk(await w.read(), row * cols);
    } finally {
      w.destroy();
    }
  }
}

/** The noise increment that `injectNoise` adds to a zero rows×cols matrix, read back. */
export async function sampleNoise(gpu: Gpu, opts: NoiseSampleOptions): Promise<Float32Array> {
  const result = new Float32Array(opts.rows * opts.cols);
  await streamNoise(gpu, opts, (x, start) => result.set(x, start));
  return result;
}

export interface SampleSummary {
  n: number;
  median: number;
  /** Probability → empirical quantile. */
  quantiles: Record<string, number>;
  finite: number;
}

/** Median and a few quantiles (order statistics, no interpolation), for the CLI's summary line. */
export function summariseSamples(
  x: Float32Array,
  probs: readonly number[] = [0.01, 0.05, 0.25, 0.75, 0.95, 0.99],
): SampleSummary {
  const sorted = Float32Array.from(x).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const quantiles: Record<string, number> = {};
  for (const p of probs) quantiles[String(p)] = at(p);
  let finite = 0;
  for (const v of x) if (Number.isFinite(v)) finite++;
  return { n: x.length, median: sorted.length ? at(0.5) : NaN, quantiles, finite };
}
