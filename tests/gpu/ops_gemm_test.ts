/**
 * GEMM kernels against the f64 reference (lib/reference/ops.ts). Tolerance for a product with inner
 * dimension K (f32 accumulation, one rounding per step):
 *   |C − C_ref| ≤ 1e-5·K·max|a|·max|b|·|α| + 1e-6·max|C_old| (accumulate) + 1e-6.
 */
import assert from "node:assert/strict";
import { type Batch, Gpu } from "../../lib/gpu/runtime.ts";
import {
  chooseGemmVariant,
  forceGemmVariant,
  gemm,
  type GemmMode,
  type GemmOptions,
  type GemmVariant,
  gemmVariants,
} from "../../lib/ops/gemm.ts";
import { gemmRef } from "../../lib/reference/ops.ts";
import { uniform } from "../helpers.ts";

const MODES: GemmMode[] = ["nn", "nt", "tn"];
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 3, 1],
  [17, 33, 65],
  [64, 64, 64],
  [65, 127, 31],
  [130, 70, 257],
  [10, 300, 64],
];

const maxAbs = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

interface Case {
  mode: GemmMode;
  m: number;
  n: number;
  k: number;
  a: Float32Array;
  b: Float32Array;
  /** Initial C (all of the tensor, possibly longer than m·n). */
  c0: Float32Array;
  opts: GemmOptions;
}

/** Records the case into `batch`; returns a check to run after submit. */
function record(gpu: Gpu, batch: Batch, cs: Case): () => Promise<void> {
  const a = gpu.upload(cs.a);
  const b = gpu.upload(cs.b);
  const c = gpu.upload(cs.c0);
  gemm(gpu, batch, cs.mode, a, b, c, cs.m, cs.n, cs.k, cs.opts);
  return async () => {
    const got = await c.read();
    for (const t of [a, b, c]) t.destroy();
    const want = cs.c0.slice();
    gemmRef(cs.mode, cs.a, cs.b, want, cs.m, cs.n, cs.k, cs.opts);
    const alpha = Math.abs(cs.opts.alpha ?? 1);
    const [na, nb] = [cs.a.subarray(0, cs.m * cs.k), cs.b.subarray(0, cs.k * cs.n)];
    const tol = 1e-5 * cs.k * maxAbs(na) * maxAbs(nb) * alpha +
      (cs.opts.accumulate ? 1e-6 * maxAbs(cs.c0.subarray(0, cs.m * cs.n)) : 0) + 1e-6;
    const what = `${cs.opts.variant ?? "auto"} ${cs.mode} ${cs.m}×${cs.n}×${cs.k} ${
      JSON.stringify(cs.opts)
    }`;
    for (let i = 0; i < got.length; i++) {
      if (i >= cs.m * cs.n) {
        // Past the m×n result the tensor must be untouched.
        if (!Object.is(got[i], want[i])) assert.fail(`${what}: wrote past C at ${i}`);
        continue;
      }
      const err = Math.abs(got[i] - want[i]);
      if (!(err <= tol)) {
        assert.fail(`${what}: C[${i}] = ${got[i]}, want ${want[i]} (err ${err} > tol ${tol})`);
      }
    }
  };
}

async function runCases(gpu: Gpu, cases: Case[]): Promise<void> {
  const batch = gpu.batch();
  const checks = cases.map((cs) => record(gpu, batch, cs));
  batch.submit();
  for (const check of checks) await check();
}

function randomCase(
  mode: GemmMode,
  [m, n, k]: [number, number, number],
  opts: GemmOptions,
  seed: number,
): Case {
  return {
    mode,
    m,
    n,
    k,
    a: uniform(m * k, seed),
    b: uniform(k * n, seed + 1),
    c0: opts.accumulate ? uniform(m * n + 3, seed + 2, -2, 2) : new Float32Array(m * n + 3),
    opts,
  };
}

const gpuP = Gpu.shared();

/** Whether exactly one of op(A), op(B) qualifies for vec4 loads (see vec4Eligible in gemm.ts). */
function mixedVec4(mode: GemmMode, [m, n, k]: [number, number, number]): boolean {
  const a = mode === "tn" ? m % 4 === 0 : k % 4 === 0;
  const b = mode === "nt" ? k % 4 === 0 : n % 4 === 0;
  return a !== b;
}

for (const variant of gemmVariants()) {
  Deno.test(`gemm ${variant}: every mode on edge shapes matches the f64 reference`, async () => {
    const gpu = await gpuP;
    const cases: Case[] = [];
    let seed = 1;
    for (const mode of MODES) {
      for (const shape of SHAPES) {
        // Each pipeline of t128x64 takes ~3 s to compile on llvmpipe: its mixed scalar/vec4
        // loader combination is left to t32 and splitk (the loaders are the same code).
        const vec4 = variant === "t128x64" && mixedVec4(mode, shape) ? false : undefined;
        const splits = variant === "splitk" ? 3 : undefined; // capped at ⌈K/8⌉ slices
        cases.push(randomCase(mode, shape, { variant, vec4, splits }, seed++));
      }
    }
    await runCases(gpu, cases);
  });
}

Deno.test("gemm tiled variants: forced scalar loads, and vec4 loads from padded buffers", async () => {
  const gpu = await gpuP;
  const cases: Case[] = [];
  const variants: GemmVariant[] = ["t32", "t128x64", "splitk"];
  for (const variant of variants) {
    for (const mode of MODES) {
      for (const shape of [[64, 64, 64], [12, 40, 36]] as [number, number, number][]) {
        const splits = variant === "splitk" ? 2 : undefined;
        cases.push(randomCase(mode, shape, { variant, vec4: false, splits }, 100 + cases.length));
        // A and B one element longer than m·k, k·n: a buffer of 4·(4j+1) bytes bound as vec4.
        const padded = randomCase(mode, shape, { variant, vec4: true, splits }, 200 + cases.length);
        padded.a = Float32Array.of(...padded.a, NaN);
        padded.b = Float32Array.of(...padded.b, NaN);
        cases.push(padded);
      }
    }
  }
  await runCases(gpu, cases);
});

Deno.test("gemm t128x64 with the GPU tile depth (BK 8) and other depths", async () => {
  // On llvmpipe t128x64 runs at BK 4 (compile time); this checks the depth real GPUs use, once.
  const gpu = await gpuP;
  const cases: Case[] = [];
  for (const tileK of [8, 4]) {
    const opts = { variant: "t128x64" as const, tileK };
    cases.push(randomCase("nn", [130, 68, 36], opts, 800 + tileK));
    cases.push(randomCase("nn", [257, 3, 5], { ...opts, alpha: 2, accumulate: true }, 810 + tileK));
  }
  await runCases(gpu, cases);
});

Deno.test("gemm splitk: several K slices, scratch shared and grown inside one batch", async () => {
  const gpu = await gpuP;
  const cases: Case[] = [];
  for (const mode of MODES) {
    for (const splits of [2, 3, 7]) {
      cases.push(randomCase(mode, [17, 33, 65], { variant: "splitk", splits }, 300 + splits));
      cases.push(randomCase(mode, [130, 70, 257], { variant: "splitk", splits }, 310 + splits));
    }
    // Default plan for an output-layer-like shape (several slices of ≥ 256).
    cases.push(randomCase(mode, [10, 40, 2000], { variant: "splitk" }, 320));
    cases.push(randomCase(mode, [3, 5, 999], { variant: "splitk", alpha: 0.25 }, 321));
  }
  // The last case needs more scratch than any before it: earlier dispatches keep their buffer.
  cases.push(randomCase("tn", [200, 100, 64], { variant: "splitk", splits: 4 }, 330));
  await runCases(gpu, cases);
});

Deno.test("gemm alpha, accumulate and the ReLU epilogue on every variant", async () => {
  const gpu = await gpuP;
  const cases: Case[] = [];
  for (const variant of gemmVariants()) {
    for (const mode of MODES) {
      for (const shape of [[1, 7, 3], [65, 127, 31], [10, 300, 64]] as [number, number, number][]) {
        const s = 400 + cases.length;
        const vec4 = variant === "t128x64" && mixedVec4(mode, shape) ? false : undefined;
        const opts = { variant, vec4 };
        cases.push(randomCase(mode, shape, { ...opts, alpha: -0.5, accumulate: true }, s));
        cases.push(randomCase(mode, shape, { ...opts, alpha: 3, accumulate: false }, s + 1));
        cases.push(randomCase(mode, shape, { ...opts, accumulate: true, splits: 2 }, s + 2));
        cases.push(randomCase(mode, shape, { ...opts, relu: true, alpha: 0.5, splits: 2 }, s + 3));
        const both = { ...opts, relu: true, accumulate: true, alpha: -2 };
        cases.push(randomCase(mode, shape, both, s + 4));
      }
    }
  }
  await runCases(gpu, cases);
});

Deno.test("gemm extreme values: 1e18-scale products, tiny values, zeros, −0, NaN in C", async () => {
  const gpu = await gpuP;
  const cases: Case[] = [];
  for (const variant of gemmVariants()) {
    for (const mode of MODES) {
      const [m, n, k] = [33, 65, 67];
      // |a|, |b| ≤ 1e9: products ≤ 1e18, sums ≤ 7e19, far from f32 overflow (3.4e38).
      cases.push({
        mode,
        m,
        n,
        k,
        a: uniform(m * k, 500, -1e9, 1e9),
        b: uniform(k * n, 501, -1e9, 1e9),
        c0: new Float32Array(m * n),
        opts: { variant },
      });
      // Products of 1e-20 underflow (maybe flushed to 0): the absolute term of the tolerance.
      cases.push({
        mode,
        m,
        n,
        k,
        a: uniform(m * k, 502, -1e-20, 1e-20),
        b: uniform(k * n, 503, -1e-20, 1e-20),
        c0: new Float32Array(m * n),
        opts: { variant },
      });
      // −0 and +0 times finite values: result is zero (either sign); NaN in C must not leak
      // into a product that does not accumulate.
      const negZero = new Float32Array(m * k).fill(-0);
      cases.push({
        mode,
        m,
        n,
        k,
        a: negZero,
        b: uniform(k * n, 504, -1e30, 1e30),
        c0: new Float32Array(m * n).fill(NaN),
        opts: { variant },
      });
      // Mixed magnitudes in one product: relative to the largest term.
      const a = uniform(m * k, 505);
      for (let i = 0; i < a.length; i += 7) a[i] *= 1e15;
      cases.push({
        mode,
        m,
        n,
        k,
        a,
        b: uniform(k * n, 506, -1e3, 1e3),
        c0: new Float32Array(m * n).fill(NaN),
        opts: { variant },
      });
    }
  }
  await runCases(gpu, cases);
});

/** The edge sizes of issue #23: each dimension across them with the other two small. */
const REG_EDGES = [1, 3, 5, 17, 127, 1023];

Deno.test("gemm reg: each dimension across 1…1023, all modes, epilogues, vec4 and scalar loads", async () => {
  const gpu = await gpuP;
  const cases: Case[] = [];
  const shapes: [number, number, number][] = [];
  for (const v of REG_EDGES) shapes.push([v, 8, 12], [6, v, 12], [6, 8, v]);
  // Mixed: several dimensions large or odd at once (partial blocks in both directions).
  shapes.push([127, 1023, 17], [1023, 5, 127], [17, 127, 1023], [3, 1023, 129], [130, 68, 36]);
  for (const mode of MODES) {
    for (const [i, shape] of shapes.entries()) {
      // Cycle through the epilogues and through vec4 (where eligible) and forced scalar loads.
      const opts: GemmOptions = {
        variant: "reg",
        vec4: i % 2 === 0,
        alpha: [1, 0.75, -2][i % 3],
        accumulate: i % 4 >= 2,
        relu: i % 5 >= 3,
      };
      cases.push(randomCase(mode, shape, opts, 900 + cases.length));
    }
  }
  await runCases(gpu, cases);
});

/** Runs one product and returns C's bits. */
async function productBits(gpu: Gpu, cs: Case): Promise<Uint32Array> {
  const [a, b, c] = [gpu.upload(cs.a), gpu.upload(cs.b), gpu.upload(cs.c0)];
  const batch = gpu.batch();
  gemm(gpu, batch, cs.mode, a, b, c, cs.m, cs.n, cs.k, cs.opts);
  batch.submit();
  const got = await c.read();
  for (const t of [a, b, c]) t.destroy();
  return new Uint32Array(got.buffer, got.byteOffset, got.length);
}

Deno.test("gemm reg: the same inputs give the same bits, whatever the block shape and loads", async () => {
  // Every output is summed k = 0, 1, … in order by fma in every block shape, with vec4 or
  // scalar loads: the result does not depend on how the work is cut.
  const gpu = await gpuP;
  for (const mode of MODES) {
    const base = randomCase(mode, [37, 44, 130], { variant: "reg", accumulate: true }, 950);
    const want = await productBits(gpu, base);
    const others: GemmOptions[] = [
      { variant: "reg", accumulate: true },
      { variant: "reg", accumulate: true, vec4: false },
    ];
    // Another block shape and k step in one mode (each pipeline costs ~1 s to build on llvmpipe).
    if (mode === "tn") {
      others.push({
        variant: "reg",
        accumulate: true,
        regShape: { rm: 4, rn: 8, wx: 4, wy: 2, ku: 1 },
      });
    }
    for (const opts of others) {
      const got = await productBits(gpu, { ...base, opts });
      assert.deepEqual(got, want, `${mode} ${JSON.stringify(opts)}: bits differ`);
    }
  }
});

Deno.test("gemm automatic choice and forceGemmVariant give correct products", async () => {
  const gpu = await gpuP;
  for (const [m, n, k] of [[1, 1, 1], [10, 300, 512], [128, 64, 40], [256, 100, 30]]) {
    assert.ok(gemmVariants().includes(chooseGemmVariant(gpu, m, n, k)));
  }
  if (gpu.summary.isSoftware) {
    // CPU adapters: reg at the training shapes (d 784, batch 500), naive for small products.
    for (const [m, n, k] of [[500, 512, 784], [10, 512, 500], [500, 512, 10], [1024, 1024, 1024]]) {
      assert.equal(chooseGemmVariant(gpu, m, n, k), "reg", `${m}×${n}×${k}`);
    }
    assert.equal(chooseGemmVariant(gpu, 64, 64, 64), "naive");
  }
  const cases: Case[] = [];
  for (const mode of MODES) {
    for (const shape of [[10, 300, 512], [130, 70, 257], [2, 3, 4]] as [number, number, number][]) {
      cases.push(randomCase(mode, shape, {}, 600 + cases.length));
    }
  }
  await runCases(gpu, cases);
  forceGemmVariant("t32");
  try {
    await runCases(gpu, [randomCase("nn", [17, 33, 65], {}, 700)]);
  } finally {
    forceGemmVariant(undefined);
  }
});

Deno.test("gemm rejects bad shapes and short tensors", async () => {
  const gpu = await gpuP;
  const t = (n: number) => gpu.tensor([n]);
  const batch = gpu.batch();
  assert.throws(() => gemm(gpu, batch, "nn", t(4), t(4), t(4), 0, 2, 2), /m = 0/);
  assert.throws(() => gemm(gpu, batch, "nn", t(3), t(4), t(4), 2, 2, 2), /A holds 3/);
  assert.throws(() => gemm(gpu, batch, "nt", t(4), t(4), t(3), 2, 2, 2), /C holds 3/);
  assert.throws(
    () => gemm(gpu, batch, "nn", t(4), t(4), t(4), 2, 2, 2, { variant: "t99" as GemmVariant }),
    /unknown GEMM variant/,
  );
  const huge = { variant: "reg" as const, regShape: { rm: 4, rn: 4, wx: 64, wy: 64 } };
  assert.throws(() => gemm(gpu, batch, "nn", t(4), t(4), t(4), 2, 2, 2, huge), /exceeds/);
  const bad = { variant: "reg" as const, regShape: { rm: 3, rn: 4, wx: 8, wy: 4 } };
  assert.throws(() => gemm(gpu, batch, "nn", t(4), t(4), t(4), 2, 2, 2, bad), /bad register/);
  const same = t(4);
  assert.throws(() => gemm(gpu, batch, "nn", same, t(4), same, 2, 2, 2), /must not share/);
  assert.equal(batch.length, 0);
});
