/**
 * Kernel-vs-CPU-twin checks that run inside the page, on the browser's WebGPU (Dawn/Tint in
 * Chromium) rather than Deno's (wgpu/naga): a representative slice of tests/gpu/, with the same
 * tolerances, stated beside each check. tests/e2e/web_test.ts runs them in headless Chromium.
 */
import type { Gpu } from "../../lib/gpu/runtime.ts";
import { rngFill } from "../../lib/rng/gpu.ts";
import { philox4x32_10 } from "../../lib/rng/philox.ts";
import { sampleStable } from "../../lib/noise/sample.ts";
import { positiveHalfFromWords, sasFromWords } from "../../lib/reference/stable.ts";
import { forceGemmVariant, gemm, type GemmMode, gemmVariants } from "../../lib/ops/gemm.ts";
import { gemmRef, rowSquaredNormsRef, softmaxCrossEntropyRef } from "../../lib/reference/ops.ts";
import { rowSquaredNorms, softmaxCrossEntropy } from "../../lib/ops/nn.ts";
import { injectNoise } from "../../lib/noise/inject.ts";
import type { NoiseSpec } from "../../lib/noise/spec.ts";
import { injectNoiseRef } from "../../lib/reference/noise_inject.ts";
import {
  conv2dBackward,
  conv2dForward,
  convDims,
  convScratch,
  type ConvShape,
  maxPool2x2Forward,
  type PoolShape,
} from "../../lib/ops/conv.ts";
import {
  conv2dBackwardDataRef,
  conv2dBackwardWeightsRef,
  conv2dForwardRef,
  maxPool2x2ForwardRef,
} from "../../lib/reference/conv.ts";
import { uniform } from "../../tests/uniform.ts";

export interface CheckResult {
  name: string;
  pass: boolean;
  /** Elements compared. */
  count: number;
  /** Largest error as a multiple of its tolerance (0 for bit-exact checks that pass). */
  worst: number;
  detail: string;
}

/** Compares element-wise with tolerance tol(i); NaN must match NaN. */
function compare(
  name: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: (i: number) => number,
): CheckResult {
  let worst = 0;
  let bad = -1;
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    const t = tol(i);
    const err = Math.abs(g - w);
    const ratio = t > 0 ? err / t : (err === 0 ? 0 : Infinity);
    if (!(ratio <= 1) && bad < 0) bad = i;
    if (ratio > worst || Number.isNaN(ratio)) worst = Number.isNaN(ratio) ? Infinity : ratio;
  }
  return {
    name,
    pass: bad < 0 && got.length === want.length,
    count: want.length,
    worst,
    detail: bad < 0 ? "ok" : `element ${bad}: got ${got[bad]}, want ${want[bad]}`,
  };
}

const maxAbs = (x: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
};

/** Philox words from the GPU equal the TypeScript twin bit for bit, across the counter wrap. */
async function philoxBits(gpu: Gpu): Promise<CheckResult> {
  const n = 4096;
  const [seed, stream, step, offset] = [0xdeadbeef, 7, 123456, 0xfffff000];
  const out = gpu.tensor([4 * n], "u32");
  rngFill(gpu, "bits", out, n, { seed, stream, step, offset });
  const got = await out.readU32();
  out.destroy();
  const want = new Uint32Array(4 * n);
  for (let i = 0; i < n; i++) {
    want.set(philox4x32_10([(offset + i) >>> 0, step, 0, 0], [seed, stream]), 4 * i);
  }
  return compare("philox4x32-10 words (bit-identical)", got, want, () => 0);
}

/**
 * Relative tolerance of anything drawn through the stable samplers. Not bit-identical: WGSL only
 * bounds the error of sin and cos by 2⁻¹¹ absolute on [−π, π] (log, exp, pow by a few ulps), and
 * each implementation meets that differently. tests/gpu/ uses 1e-4, which holds on llvmpipe; on
 * SwiftShader the samplers differ from the f64 twin by up to about 5e-4 relative (≈ 2⁻¹¹), so the
 * page allows 4·2⁻¹¹ ≈ 2e-3 and reports the worst error as a fraction of it.
 */
export const TRANSCENDENTAL_REL = 4 * 2 ** -11;

/** Stable samplers vs the f64 twin: |gpu − ref| ≤ TRANSCENDENTAL_REL·|ref|. */
async function stableSamplers(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const n = 4096;
  const words = (seed: number, stream: number, i: number) =>
    philox4x32_10([i, 0, 0, 0], [seed, stream]);
  for (const alpha of [0.5, 1, 1.5, 1.75, 2]) {
    const x = await sampleStable(gpu, n, { kind: "sas", alpha, seed: 11, stream: 3 });
    const want = Float64Array.from({ length: n }, (_, i) => sasFromWords(alpha, words(11, 3, i)));
    out.push(
      compare(
        `SαS α=${alpha} (rel 2e-3)`,
        x,
        want,
        (i) => TRANSCENDENTAL_REL * Math.abs(want[i]) + 1e-30,
      ),
    );
  }
  for (const alpha of [1, 1.75]) {
    const x = await sampleStable(gpu, n, { kind: "positive", alpha, seed: 12, stream: 4 });
    const want = Float64Array.from(
      { length: n },
      (_, i) => positiveHalfFromWords(alpha, words(12, 4, i)),
    );
    out.push(
      compare(
        `positive α/2-stable α=${alpha} (rel 2e-3)`,
        x,
        want,
        (i) => TRANSCENDENTAL_REL * Math.abs(want[i]),
      ),
    );
  }
  return out;
}

/**
 * GEMM in all three modes at edge shapes, every variant the runtime can pick, against the f64
 * twin: |C − C_ref| ≤ 1e-5·K·max|a|·max|b| + 1e-6 (tests/gpu/ops_gemm_test.ts).
 */
async function gemms(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const shapes: [number, number, number][] = [[1, 1, 1], [5, 3, 1], [17, 33, 65], [65, 127, 31], [
    130,
    70,
    257,
  ]];
  try {
    for (const variant of gemmVariants()) {
      forceGemmVariant(variant);
      for (const mode of ["nn", "nt", "tn"] as GemmMode[]) {
        for (const [m, n, k] of shapes) {
          const a0 = uniform(m * k, m * 7 + k, -1, 1);
          const b0 = uniform(k * n, n * 13 + k, -1, 1);
          const a = gpu.upload(a0);
          const b = gpu.upload(b0);
          const c = gpu.tensor([m * n]);
          const batch = gpu.batch();
          gemm(gpu, batch, mode, a, b, c, m, n, k);
          batch.submit();
          const got = await c.read();
          for (const t of [a, b, c]) t.destroy();
          const want = new Float32Array(m * n);
          gemmRef(mode, a0, b0, want, m, n, k);
          const tol = 1e-5 * k * maxAbs(a0) * maxAbs(b0) + 1e-6;
          out.push(compare(`gemm ${variant} ${mode} ${m}×${n}×${k}`, got, want, () => tol));
        }
      }
    }
  } finally {
    forceGemmVariant(undefined);
  }
  return out;
}

/**
 * Softmax cross-entropy: loss within 2e-6·(1 + |loss|) + 4e-7·(max logit − label logit),
 * correct-flags exact, dlogits within 2e-6/rows (tests/gpu/ops_nn_test.ts).
 */
async function softmaxCe(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const [rows, classes] of [[1, 10], [3, 2], [257, 10]]) {
    const logits0 = uniform(rows * classes, rows * 31 + classes, -4, 4);
    const labels0 = Uint32Array.from(
      uniform(rows, rows + classes, 0, classes),
      (v) => Math.floor(v),
    );
    const logits = gpu.upload(logits0);
    const labels = gpu.upload(labels0);
    const stats = gpu.tensor([2 * rows]);
    const dl = gpu.tensor([rows * classes]);
    const batch = gpu.batch();
    softmaxCrossEntropy(gpu, batch, logits, labels, dl, stats, rows, classes);
    batch.submit();
    const [s, d] = [await stats.read(), await dl.read()];
    for (const t of [logits, labels, stats, dl]) t.destroy();
    const ws = new Float32Array(2 * rows);
    const wd = new Float32Array(rows * classes);
    softmaxCrossEntropyRef(logits0, labels0, wd, ws, rows, classes, {});
    const gap = (r: number) => {
      let max = -Infinity;
      for (let j = 0; j < classes; j++) max = Math.max(max, logits0[r * classes + j]);
      return Math.abs(max - logits0[r * classes + labels0[r]]);
    };
    out.push(
      compare(
        `softmax CE loss/correct ${rows}×${classes}`,
        s,
        ws,
        (i) => i % 2 === 1 ? 0 : 2e-6 * (1 + Math.abs(ws[i])) + 4e-7 * gap(i / 2),
      ),
    );
    out.push(compare(`softmax CE dlogits ${rows}×${classes}`, d, wd, () => 2e-6 / rows));
  }
  return out;
}

/** Row squared norms: ≤ (cols/64 + 7)·2⁻²³ relative (tests/gpu/ops_nn_test.ts). */
async function rowNorms(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const [rows, cols] of [[1, 1], [3, 7], [257, 65], [2, 1000]]) {
    const w0 = uniform(rows * cols, rows * cols, -3, 3);
    w0[0] = 1e18;
    const w = gpu.upload(w0);
    const norms = gpu.tensor([rows]);
    const batch = gpu.batch();
    rowSquaredNorms(gpu, batch, w, rows, cols, norms);
    batch.submit();
    const got = await norms.read();
    w.destroy();
    norms.destroy();
    const want = new Float32Array(rows);
    rowSquaredNormsRef(w0, rows, cols, want);
    out.push(
      compare(
        `row squared norms ${rows}×${cols}`,
        got,
        want,
        (i) => (cols / 64 + 7) * 2 ** -23 * Math.abs(want[i]),
      ),
    );
  }
  return out;
}

/**
 * Noise injection, Types I–III, against the CPU twin: TRANSCENDENTAL_REL of the increment, plus
 * 2⁻¹¹ of the row's largest increment (Type III's Box–Muller cosine: an absolute error), plus one
 * f32 ulp of the weight (tests/gpu/noise_test.ts, with the sampler bound widened as above).
 */
async function noiseInjection(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const [rows, cols] = [257, 33];
  const w0 = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37) * 0.05);
  const specs: NoiseSpec[] = [
    { type: 1, alpha: 1.5, sigma: 0.3 },
    { type: 2, alpha: 1.5, sigma: 0.3 },
    { type: 3, alpha: 1.5, sigma: 0.3 },
    { type: 1, alpha: 2, sigma: 0.3 },
  ];
  for (const spec of specs) {
    const opts = { spec, lr: 0.01, seed: 7, layer: 1, step: 5 };
    const w = gpu.upload(w0, [rows, cols]);
    const batch = gpu.batch();
    injectNoise(gpu, batch, w, rows, cols, opts);
    batch.submit();
    const got = await w.read();
    w.destroy();
    const want = Float32Array.from(w0);
    injectNoiseRef(want, rows, cols, opts);
    const rowMax = new Float64Array(rows);
    for (let i = 0; i < want.length; i++) {
      const r = Math.floor(i / cols);
      rowMax[r] = Math.max(rowMax[r], Math.abs(want[i] - w0[i]));
    }
    out.push(
      compare(
        `noise injection Type ${"I".repeat(spec.type)} α=${spec.alpha}`,
        got,
        want,
        (i) =>
          TRANSCENDENTAL_REL * Math.abs(want[i] - w0[i]) + 2 ** -11 * rowMax[Math.floor(i / cols)] +
          2 ** -23 * Math.abs(want[i]),
      ),
    );
  }
  return out;
}

/**
 * Convolution (im2col + GEMM) forward and both gradients against the direct loops, within
 * 2e-6 × (terms summed) for inputs in [−1, 1] (tests/gpu/ops_conv_test.ts); 2×2 max pooling
 * bit for bit, with the same argmax.
 */
async function convs(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const shapes: ConvShape[] = [
    { n: 1, c: 1, h: 1, w: 1, cout: 1, kh: 3, kw: 3, pad: 1 },
    { n: 2, c: 3, h: 5, w: 7, cout: 4, kh: 3, kw: 3, pad: 1 },
    { n: 3, c: 2, h: 9, w: 6, cout: 5, kh: 3, kw: 3, pad: 0 },
    { n: 2, c: 3, h: 4, w: 6, cout: 2, kh: 2, kw: 3, pad: 1 },
  ];
  for (const [i, s] of shapes.entries()) {
    const d = convDims(s);
    const x0 = uniform(s.n * s.c * s.h * s.w, 40 + i);
    const w0 = uniform(s.cout * d.k, 50 + i);
    const dy0 = uniform(d.rows * s.cout, 60 + i);
    const [x, w, dy] = [gpu.upload(x0), gpu.upload(w0), gpu.upload(dy0)];
    const y = gpu.tensor([d.rows * s.cout]);
    const dw = gpu.tensor([s.cout * d.k]);
    const dx = gpu.tensor([x0.length]);
    const scratch = convScratch(gpu, s);
    const batch = gpu.batch();
    conv2dForward(gpu, batch, x, w, y, s, scratch);
    conv2dBackward(gpu, batch, x, w, dy, dw, dx, s, scratch);
    batch.submit();
    const [yr, dwr, dxr] = [await y.read(), await dw.read(), await dx.read()];
    for (const t of [x, w, dy, y, dw, dx, scratch.cols, scratch.mat]) t.destroy();
    const what = `${s.n}×${s.c}×${s.h}×${s.w}→${s.cout} k${s.kh}×${s.kw} pad ${s.pad}`;
    out.push(compare(`conv forward ${what}`, yr, conv2dForwardRef(x0, w0, s), () => 2e-6 * d.k));
    out.push(
      compare(
        `conv dW ${what}`,
        dwr,
        conv2dBackwardWeightsRef(x0, dy0, s),
        () => 2e-6 * d.rows,
      ),
    );
    out.push(
      compare(
        `conv dX ${what}`,
        dxr,
        conv2dBackwardDataRef(dy0, w0, s),
        () => 2e-6 * s.cout * s.kh * s.kw,
      ),
    );
  }
  for (const s of [{ planes: 3, h: 5, w: 7 }, { planes: 2, h: 8, w: 8 }] as PoolShape[]) {
    const x0 = uniform(s.planes * s.h * s.w, 70 + s.h);
    const want = maxPool2x2ForwardRef(x0, s);
    const x = gpu.upload(x0);
    const y = gpu.tensor([want.y.length]);
    const arg = gpu.tensor([want.y.length], "u32");
    const batch = gpu.batch();
    maxPool2x2Forward(gpu, batch, x, y, arg, s);
    batch.submit();
    const [yr, ar] = [await y.read(), await arg.readU32()];
    for (const t of [x, y, arg]) t.destroy();
    out.push(compare(`max pool 2×2 ${s.planes}×${s.h}×${s.w}`, yr, want.y, () => 0));
    out.push(compare(`max pool 2×2 argmax ${s.planes}×${s.h}×${s.w}`, ar, want.argmax, () => 0));
  }
  return out;
}

/** Runs every check; a check that throws is a failed result naming the error. */
export async function runChecks(gpu: Gpu): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const groups: [string, () => Promise<CheckResult | CheckResult[]>][] = [
    ["philox", () => philoxBits(gpu)],
    ["stable", () => stableSamplers(gpu)],
    ["gemm", () => gemms(gpu)],
    ["softmax", () => softmaxCe(gpu)],
    ["norms", () => rowNorms(gpu)],
    ["noise", () => noiseInjection(gpu)],
    ["conv", () => convs(gpu)],
  ];
  for (const [name, run] of groups) {
    try {
      out.push(...[await run()].flat());
      await gpu.sync();
    } catch (err) {
      out.push({ name, pass: false, count: 0, worst: Infinity, detail: String(err) });
    }
  }
  return out;
}
