/**
 * Tests that only mean something on a real GPU: products at the paper's training shapes (batch
 * 5000, d 784, n 10,000: 200 MB operands, hours on a CPU rasteriser) and a speed floor. On a
 * software adapter (Mesa llvmpipe or lavapipe, SwiftShader, WARP: `isSoftware` of
 * lib/gpu/device.ts) they are ignored, so `deno test` reports them as "ignored" and this file
 * prints why; they never pass silently. The GPU-vs-reference tests of the other files run on every
 * adapter. bench/gpu_check.sh runs this file on the GPU machine.
 */
import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { gemm, type GemmMode, type GemmVariant, gemmVariants } from "../../lib/ops/gemm.ts";
import { uniform } from "../helpers.ts";

const gpu = await Gpu.shared();
const software = gpu.summary.isSoftware;
if (software) {
  console.log(
    `gpu_scale_test: ${gpu.describe()} is a software adapter: the GPU-only tests below are ` +
      `ignored (they need a real GPU: training shapes and a speed floor)`,
  );
}

/** C[i, j] of op(A)·op(B) in f64 (A is m×k, or k×m for "tn"; B is k×n, or n×k for "nt"). */
function entryRef(
  mode: GemmMode,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  i: number,
  j: number,
): number {
  let s = 0;
  for (let kk = 0; kk < k; kk++) {
    const av = mode === "tn" ? a[kk * m + i] : a[i * k + kk];
    const bv = mode === "nt" ? b[j * k + kk] : b[kk * n + j];
    s += av * bv;
  }
  return s;
}

/** The products of one training step at n = 10,000 (bench/README.md's table). */
const B = 5000, D = 784, N = 10000;
const STEP_SHAPES: { role: string; mode: GemmMode; m: number; n: number; k: number }[] = [
  { role: "hidden-forward H = X·W1ᵀ", mode: "nt", m: B, n: N, k: D },
  { role: "hidden-grad ∇W1 = D1ᵀ·X", mode: "tn", m: N, n: D, k: B },
];

for (const shape of STEP_SHAPES) {
  Deno.test({
    name: `GPU only: ${shape.role} (${shape.mode} ${shape.m}×${shape.n}×${shape.k}) matches ` +
      `the f64 reference on 4000 sampled entries, every GEMM variant`,
    ignore: software,
    fn: async () => {
      const { mode, m, n, k } = shape;
      const a = uniform(m * k, 11);
      const b = uniform(k * n, 12);
      const ta = gpu.upload(a);
      const tb = gpu.upload(b);
      const tc = gpu.tensor([m * n]);
      const tol = 1e-5 * k + 1e-6; // |a|, |b| ≤ 1: as in tests/gpu/ops_gemm_test.ts
      try {
        for (const variant of gemmVariants() as GemmVariant[]) {
          const batch = gpu.batch();
          gemm(gpu, batch, mode, ta, tb, tc, m, n, k, { variant });
          batch.submit();
          const got = await tc.read();
          let seed = 1;
          for (let s = 0; s < 4000; s++) {
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
            const i = s < 2 ? (s ? m - 1 : 0) : seed % m;
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
            const j = s < 2 ? (s ? n - 1 : 0) : seed % n;
            const want = entryRef(mode, a, b, m, n, k, i, j);
            const err = Math.abs(got[i * n + j] - want);
            if (!(err <= tol)) {
              assert.fail(`${variant}: C[${i}, ${j}] = ${got[i * n + j]}, want ${want} (${err})`);
            }
          }
        }
      } finally {
        for (const t of [ta, tb, tc]) t.destroy();
      }
    },
  });
}

/**
 * Floor: 2 TFLOP/s for the automatically chosen variant at 4096³. The naive WGSL GEMM alone ran
 * at ~9 TFLOP/s on an H100 (bench/README.md), so a real data-centre GPU clears this by far; it
 * catches a run that silently fell onto a slow path (a software ICD, a debug build, a tile that
 * stopped being chosen). Measured: GPU work of 5 products after 2 warm-ups, host wall clock.
 */
Deno.test({
  name: "GPU only: the chosen GEMM at 4096³ runs at ≥ 2 TFLOP/s",
  ignore: software,
  fn: async () => {
    const s = 4096;
    const ta = gpu.upload(uniform(s * s, 21));
    const tb = gpu.upload(uniform(s * s, 22));
    const tc = gpu.tensor([s * s]);
    try {
      const run = async (times: number) => {
        const batch = gpu.batch();
        for (let r = 0; r < times; r++) gemm(gpu, batch, "nn", ta, tb, tc, s, s, s);
        batch.submit();
        await gpu.sync();
      };
      await run(2);
      const t0 = performance.now();
      await run(5);
      const seconds = (performance.now() - t0) / 1000;
      const tflops = (5 * 2 * s ** 3) / seconds / 1e12;
      console.log(`gpu_scale_test: 4096³ at ${tflops.toFixed(1)} TFLOP/s on ${gpu.describe()}`);
      assert.ok(tflops >= 2, `4096³ GEMM at ${tflops.toFixed(2)} TFLOP/s, below the 2 floor`);
    } finally {
      for (const t of [ta, tb, tc]) t.destroy();
    }
  },
});
