/**
 * Helpers shared by the tests: deterministic inputs, one-batch GPU runs, element-wise comparisons
 * and the stable samplers evaluated on chosen Philox words.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { STABLE_FILL } from "../lib/gpu/kernels.ts";
import { type Batch, type Gpu, groups1d, type Tensor } from "../lib/gpu/runtime.ts";
import type { GpuNetwork } from "../lib/model/gpu_network.ts";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Runs `deno <args>` from the repository root; exit code and decoded output. */
export async function runDeno(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Deterministic U(lo, hi) values (mulberry32), independent of the project's RNG. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 2 ** 32);
  }
  return out;
}

/** Runs `record` in one batch and reads the tensors back. */
export async function runBatch(gpu: Gpu, record: (b: Batch) => void, ...read: Tensor[]) {
  const batch = gpu.batch();
  record(batch);
  batch.submit();
  return await Promise.all(read.map((t) => t.read()));
}

/** |got − want| ≤ tol (a number, or a function of want) element-wise; NaN matches NaN. */
export function assertClose(
  got: Float32Array,
  want: ArrayLike<number>,
  tol: number | ((w: number) => number),
  what: string,
) {
  assert.ok(got.length >= want.length, `${what}: short result`);
  const bound = typeof tol === "number" ? () => tol : tol;
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (Number.isNaN(w) && Number.isNaN(got[i])) continue;
    if (!(Math.abs(got[i] - w) <= bound(w))) {
      assert.fail(`${what}[${i}] = ${got[i]}, want ${w} (tol ${bound(w)})`);
    }
  }
}

/** Bit-level equality, so −0 vs +0 and NaN are compared exactly. */
export function assertBits(got: Float32Array, want: Float32Array, what: string) {
  const g = new Uint32Array(got.buffer, got.byteOffset, want.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      assert.fail(`${what}[${i}] = ${got[i]}, want ${want[i]}`);
    }
  }
}

/** The samplers of kernels/stable_fill.wgsl, by entry point. */
export type MapEntry =
  | "map_sas"
  | "map_positive"
  | "map_normal"
  | "map_unit_half"
  | "map_exponential";

/** Runs a map_* entry of stable_fill.wgsl on explicit words, four per sample. */
export async function mapWords(
  gpu: Gpu,
  entry: MapEntry,
  alpha: number,
  quads: Uint32Array,
): Promise<Float32Array> {
  const n = quads.length / 4;
  const out = gpu.tensor([n]);
  const input: Tensor = gpu.upload(quads);
  const k = gpu.kernel(STABLE_FILL, { WG: 64 }, entry);
  const params = { seed: 0, stream: 0, step: 0, offset: 0, n, alpha };
  gpu.batch().dispatch(k, { out, words: input }, groups1d(gpu, n, 64), params).submit();
  const v = await out.read();
  out.destroy();
  input.destroy();
  return v;
}

/**
 * A small valid training config on the synthetic blobs (Type I noise, 30 steps): the base of the
 * grid, fault and fuzz tests, which add example limits or axes.
 */
export const SMALL_SYNTHETIC_CONFIG = {
  dataset: "synthetic",
  width: 16,
  depth: 2,
  lr: 0.1,
  batchSize: 32,
  evalEvery: 10,
  maxSteps: 30,
  convergenceAccuracy: 100,
  noise: { type: 1, alpha: 1.8, sigma: 0.2 },
  seed: 1,
} as const;

/** One forward/backward/SGD step of `net` on (x, y); the new weights and the batch's mean loss. */
export async function gpuSgdStep(
  gpu: Gpu,
  net: GpuNetwork,
  x: Float32Array,
  y: Uint32Array,
  rows: number,
  lr: number,
): Promise<{ weights: Float32Array[]; loss: number }> {
  net.x.write(x);
  net.y.write(y);
  const stats = gpu.tensor([2]);
  const batch = gpu.batch();
  net.forward(batch, rows);
  net.loss(batch, rows, true, stats, 0);
  net.backward(batch, rows);
  net.sgd(batch, lr);
  batch.submit();
  const weights = await net.readWeights();
  const [lossSum] = await stats.read();
  stats.destroy();
  return { weights, loss: lossSum / rows };
}
