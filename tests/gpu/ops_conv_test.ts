/**
 * lib/ops/conv.ts (im2col + GEMM convolution, 2×2 max pooling) against the direct-loop references
 * of lib/reference/conv.ts on odd shapes, plus a finite-difference check of both convolution
 * gradients through the GPU forward pass. Tolerances are stated at each comparison.
 */
import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";
import type { GemmVariant } from "../../lib/ops/gemm.ts";
import {
  col2im,
  conv2dBackward,
  conv2dBackwardData,
  conv2dBackwardWeights,
  conv2dForward,
  convDims,
  convScratch,
  type ConvShape,
  im2col,
  maxPool2x2Backward,
  maxPool2x2Forward,
  poolDims,
  type PoolShape,
} from "../../lib/ops/conv.ts";
import {
  conv2dBackwardDataRef,
  conv2dBackwardWeightsRef,
  conv2dForwardRef,
  maxPool2x2BackwardRef,
  maxPool2x2ForwardRef,
} from "../../lib/reference/conv.ts";
import { assertClose, runBatch, uniform } from "../helpers.ts";

const gpuP = Gpu.shared();

function shapeOf(n: number, c: number, h: number, w: number, cout: number, pad: number, k = 3) {
  return { n, c, h, w, cout, kh: k, kw: k, pad } satisfies ConvShape;
}

const CASES: ConvShape[] = [
  shapeOf(1, 1, 1, 1, 1, 1),
  shapeOf(2, 3, 5, 7, 4, 0),
  shapeOf(2, 3, 5, 7, 4, 1),
  shapeOf(1, 5, 8, 8, 3, 0),
  shapeOf(1, 5, 8, 8, 3, 1),
  shapeOf(3, 2, 9, 6, 5, 0),
  shapeOf(3, 2, 9, 6, 5, 1),
  { n: 2, c: 3, h: 4, w: 6, cout: 2, kh: 2, kw: 3, pad: 1 }, // non-square kernel
  { n: 1, c: 4, h: 3, w: 5, cout: 3, kh: 1, kw: 1, pad: 0 }, // 1×1 kernel
];

/** Runs forward, backward-weights and backward-data on the GPU and checks them against the refs. */
async function checkConv(gpu: Gpu, s: ConvShape, seed: number, variant?: GemmVariant) {
  const d = convDims(s);
  const x0 = uniform(s.n * s.c * s.h * s.w, seed);
  const w0 = uniform(s.cout * d.k, seed + 1);
  const dy0 = uniform(d.rows * s.cout, seed + 2);
  const x = gpu.upload(x0);
  const w = gpu.upload(w0);
  const dy = gpu.upload(dy0);
  const y = gpu.tensor([d.rows * s.cout]);
  const dw = gpu.tensor([s.cout * d.k]);
  const dx = gpu.tensor([x0.length]);
  const dx2 = gpu.tensor([x0.length]);
  const scratch = convScratch(gpu, s);
  const g = variant ? { variant } : {};
  const [yr, dwr, dxr, dx2r] = await runBatch(
    gpu,
    (b) => {
      conv2dForward(gpu, b, x, w, y, s, scratch, g);
      conv2dBackwardData(gpu, b, dy, w, dx2, s, scratch, { gemm: g }); // standalone
      conv2dBackward(gpu, b, x, w, dy, dw, dx, s, scratch, { gemm: g }); // shared permute
    },
    y,
    dw,
    dx,
    dx2,
  );
  const what = `${JSON.stringify(s)}${variant ? ` ${variant}` : ""}`;
  // Inputs in [-1, 1]: each output sums T products of magnitude ≤ 1 in f32, so the error is
  // ≤ T·2⁻²³·T in the worst case and ~√T·2⁻²⁴·√T typically; 2e-6·T is generous for T ≤ 200
  // and still catches any indexing error (which moves values by O(0.1) or more).
  assertClose(yr, conv2dForwardRef(x0, w0, s), 2e-6 * d.k, `y ${what}`);
  assertClose(dwr, conv2dBackwardWeightsRef(x0, dy0, s), 2e-6 * d.rows, `dw ${what}`);
  const dxWant = conv2dBackwardDataRef(dy0, w0, s);
  const tDx = 2e-6 * s.cout * s.kh * s.kw;
  assertClose(dxr, dxWant, tDx, `dx ${what}`);
  assert.deepEqual(dxr, dx2r, `dx ${what}: standalone and shared-permute paths differ`);
  for (const t of [x, w, dy, y, dw, dx, dx2, scratch.cols, scratch.mat]) t.destroy();
}

Deno.test("conv2d forward and both gradients match the direct reference on odd shapes", async () => {
  const gpu = await gpuP;
  for (const [i, s] of CASES.entries()) await checkConv(gpu, s, 100 + 10 * i);
});

Deno.test("conv2d through the tiled GEMM (t32) matches the reference", async () => {
  const gpu = await gpuP;
  // rows = 2·6·6 = 72, K = 8·9 = 72, Cout = 16: vec4 loads on for every operand.
  await checkConv(gpu, shapeOf(2, 8, 6, 6, 16, 1), 7, "t32");
  // K = 27, Cout = 5, rows = 35: scalar loads, partial tiles.
  await checkConv(gpu, shapeOf(1, 3, 5, 7, 5, 1), 8, "t32");
});

Deno.test("conv shapes: output size, and kernels larger than the padded input throw", () => {
  assert.deepEqual(convDims(shapeOf(2, 3, 5, 7, 4, 1)), { ho: 5, wo: 7, k: 27, rows: 70 });
  assert.deepEqual(convDims(shapeOf(2, 3, 5, 7, 4, 0)), { ho: 3, wo: 5, k: 27, rows: 30 });
  assert.throws(() => convDims(shapeOf(1, 1, 1, 1, 1, 0)), /larger than padded input/);
  assert.throws(() => convDims(shapeOf(1, 0, 4, 4, 1, 1)), /c = 0/);
  assert.throws(() => poolDims({ planes: 1, h: 1, w: 5 }), /smaller than 2×2/);
});

Deno.test("im2col and col2im are adjoint: <im2col(x), c> = <x, col2im(c)>", async () => {
  const gpu = await gpuP;
  const s = shapeOf(2, 3, 5, 4, 1, 1);
  const d = convDims(s);
  const x0 = uniform(s.n * s.c * s.h * s.w, 1);
  const c0 = uniform(d.rows * d.k, 2);
  const x = gpu.upload(x0);
  const c = gpu.upload(c0);
  const cols = gpu.tensor([d.rows * d.k]);
  const xt = gpu.tensor([x0.length]);
  const [colsr, xtr] = await runBatch(
    gpu,
    (b) => {
      im2col(gpu, b, x, cols, s);
      col2im(gpu, b, c, xt, s);
    },
    cols,
    xt,
  );
  let lhs = 0;
  for (let i = 0; i < c0.length; i++) lhs += colsr[i] * c0[i];
  let rhs = 0;
  for (let i = 0; i < x0.length; i++) rhs += x0[i] * xtr[i];
  // Each col2im sum has ≤ 9 terms; the dot products are in f64: 1e-4 absolute on ~|20|.
  assert.ok(Math.abs(lhs - rhs) < 1e-4, `<im2col(x), c> = ${lhs}, <x, col2im(c)> = ${rhs}`);
  // im2col copies values or writes exact zeros: every entry is 0 or an element of x.
  const values = new Set(x0);
  for (const v of colsr) assert.ok(v === 0 || values.has(v), `im2col produced ${v}`);
  for (const t of [x, c, cols, xt]) t.destroy();
});

Deno.test("conv2d gradients match central differences of Σ y·r through the GPU forward", async () => {
  const gpu = await gpuP;
  const s = shapeOf(1, 2, 4, 3, 2, 1);
  const d = convDims(s);
  const x0 = uniform(s.n * s.c * s.h * s.w, 31);
  const w0 = uniform(s.cout * d.k, 32);
  const r0 = uniform(d.rows * s.cout, 33);
  const x = gpu.upload(x0);
  const w = gpu.upload(w0);
  const r = gpu.upload(r0);
  const y = gpu.tensor([r0.length]);
  const dw = gpu.tensor([w0.length]);
  const dx = gpu.tensor([x0.length]);
  const scratch = convScratch(gpu, s);
  // L = Σ y·r, so dL/dy = r.
  const [dwr, dxr] = await runBatch(
    gpu,
    (b) => {
      conv2dBackwardWeights(gpu, b, x, r, dw, s, scratch);
      conv2dBackwardData(gpu, b, r, w, dx, s, scratch, { dyRowsReady: true });
    },
    dw,
    dx,
  );
  const loss = async () => {
    const [yr] = await runBatch(gpu, (b) => conv2dForward(gpu, b, x, w, y, s, scratch), y);
    let l = 0;
    for (let i = 0; i < r0.length; i++) l += yr[i] * r0[i];
    return l;
  };
  // L is linear in x and in w, so the central difference has no truncation error; what is left
  // is f32 rounding of y (~1e-7·|L| with |L| ≲ 10) divided by 2h = 0.25: tolerance 2e-4.
  const h = 0.125;
  for (const [name, host, dev, grad] of [["x", x0, x, dxr], ["w", w0, w, dwr]] as const) {
    for (let i = 0; i < host.length; i++) {
      const orig = host[i];
      dev.write(Float32Array.of(orig + h), i);
      const lp = await loss();
      dev.write(Float32Array.of(orig - h), i);
      const lm = await loss();
      dev.write(Float32Array.of(orig), i);
      const fd = (lp - lm) / (2 * h);
      assert.ok(Math.abs(fd - grad[i]) < 2e-4, `d${name}[${i}] = ${grad[i]}, central diff ${fd}`);
    }
  }
  for (const t of [x, w, r, y, dw, dx, scratch.cols, scratch.mat]) t.destroy();
});

Deno.test("maxPool2x2 forward/backward match the reference on odd sizes, ties, negatives", async () => {
  const gpu = await gpuP;
  const shapes: PoolShape[] = [
    { planes: 1, h: 2, w: 2 },
    { planes: 3, h: 5, w: 7 },
    { planes: 2, h: 4, w: 6 },
    { planes: 4, h: 3, w: 3 },
    { planes: 2, h: 9, w: 2 },
  ];
  for (const [si, s] of shapes.entries()) {
    const { ho, wo } = poolDims(s);
    const size = s.planes * s.h * s.w;
    // Values from {−3, −2, −1, 0, 1} (many ties), plane 0 all negative.
    const x0 = Float32Array.from(uniform(size, 50 + si, 0, 5), (u) => Math.floor(u) - 3);
    for (let i = 0; i < s.h * s.w; i++) x0[i] = -1 - (x0[i] + 3) * 0.5;
    const dy0 = uniform(s.planes * ho * wo, 60 + si, 0.5, 2);
    const x = gpu.upload(x0);
    const dy = gpu.upload(dy0);
    const y = gpu.tensor([dy0.length]);
    const arg = gpu.tensor([dy0.length], "u32");
    const dx = gpu.upload(new Float32Array(size).fill(NaN)); // every element must be written
    const [yr, dxr] = await runBatch(
      gpu,
      (b) => {
        maxPool2x2Forward(gpu, b, x, y, arg, s);
        maxPool2x2Backward(gpu, b, dy, arg, dx, s);
      },
      y,
      dx,
    );
    const argr = await arg.readU32();
    const want = maxPool2x2ForwardRef(x0, s);
    // Max and argmax are selections, and the backward pass copies: all exact.
    assert.deepEqual(yr, want.y, `y ${JSON.stringify(s)}`);
    assert.deepEqual(argr, want.argmax, `argmax ${JSON.stringify(s)}`);
    assert.deepEqual(dxr, maxPool2x2BackwardRef(dy0, want.argmax, s), `dx ${JSON.stringify(s)}`);
    for (const t of [x, dy, y, arg, dx]) t.destroy();
  }
});

Deno.test("maxPool2x2: a tie goes to the first element in row-major window order", async () => {
  const gpu = await gpuP;
  const s: PoolShape = { planes: 1, h: 2, w: 8 };
  // Windows: [a b / c d] with ties at (b, c), (c, d), (a, d), all four equal.
  const x0 = Float32Array.of(0, 5, -1, 0, 3, 0, 7, 7, 5, 1, 2, 2, 1, 3, 7, 7);
  const x = gpu.upload(x0);
  const y = gpu.tensor([4]);
  const arg = gpu.tensor([4], "u32");
  const [yr] = await runBatch(gpu, (b) => maxPool2x2Forward(gpu, b, x, y, arg, s), y);
  assert.deepEqual(Array.from(yr), [5, 2, 3, 7]);
  assert.deepEqual(Array.from(await arg.readU32()), [1, 10, 4, 6]);
  for (const t of [x, y, arg]) t.destroy();
});
