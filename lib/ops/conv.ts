/**
 * 2-D convolution (stride 1, zero padding, no bias) and 2×2 max pooling on the GPU, recorded into
 * a Batch. The convolution is im2col + the GEMM kernels of lib/ops/gemm.ts:
 *
 *   x      (N, C, H, W)                      NCHW, f32
 *   w      (Cout, C, kh, kw) = Cout × K       K = C·kh·kw (PyTorch's weight layout)
 *   cols   (N·Ho·Wo) × K                      row r = (n·Ho + oh)·Wo + ow, column (c·kh + i)·kw + jj
 *   mat    (N·Ho·Wo) × Cout                   the product in "rows" layout
 *   y      (N, Cout, Ho, Wo)                  Ho = H + 2p − kh + 1, Wo = W + 2p − kw + 1
 *
 *   forward          mat = cols · wᵀ (gemm "nt"), then y = permute(mat)
 *   backward weights dw = matᵀ · cols (gemm "tn") with mat = permute⁻¹(dy)
 *   backward data    dcols = mat · w (gemm "nn"), then dx = col2im(dcols)
 *
 * The permutes keep the public tensors NCHW (what pooling, ReLU and a final flatten expect) at the
 * cost of one extra pass over y; the GEMMs themselves need no transposed copies. col2im is one
 * thread per element of dx gathering its kh·kw contributions in a fixed order: deterministic, no
 * atomics. CPU references (direct loops, f64) are in lib/reference/conv.ts.
 */
import { CONV_IM2COL, POOL_MAX2X2 } from "../gpu/kernels.ts";
import { type Batch, type Gpu, groups1d, type Tensor } from "../gpu/runtime.ts";
import { gemm, type GemmOptions } from "./gemm.ts";

const WG = 256;

export interface ConvShape {
  n: number;
  c: number;
  h: number;
  w: number;
  cout: number;
  kh: number;
  kw: number;
  /** Zero padding on every side (1 for VGG's 3×3 convolutions). */
  pad: number;
}

/** Scratch matrices of one convolution; see `convScratch` for their sizes. */
export interface ConvScratch {
  /** At least (N·Ho·Wo)·K floats: im2col(x) in the forward pass, dcols in backward data. */
  cols: Tensor;
  /** At least (N·Ho·Wo)·Cout floats: the product (forward) or dy in rows layout (backward). */
  mat: Tensor;
}

export interface ConvDims {
  ho: number;
  wo: number;
  /** C·kh·kw, the GEMM depth of the forward pass. */
  k: number;
  /** N·Ho·Wo, output pixels (rows of cols and mat). */
  rows: number;
}

/** Output size and GEMM dimensions; throws on a shape the kernels do not support. */
export function convDims(s: ConvShape): ConvDims {
  for (const key of ["n", "c", "h", "w", "cout", "kh", "kw"] as const) {
    if (!Number.isInteger(s[key]) || s[key] < 1) throw new Error(`conv: ${key} = ${s[key]} ≥ 1`);
  }
  if (!Number.isInteger(s.pad) || s.pad < 0) throw new Error(`conv: pad = ${s.pad} must be ≥ 0`);
  const ho = s.h + 2 * s.pad - s.kh + 1;
  const wo = s.w + 2 * s.pad - s.kw + 1;
  if (ho < 1 || wo < 1) throw new Error(`conv: ${s.kh}×${s.kw} kernel larger than padded input`);
  return { ho, wo, k: s.c * s.kh * s.kw, rows: s.n * ho * wo };
}

/** Allocates scratch for `shape` (one ConvScratch may serve every layer sized for the largest). */
export function convScratch(gpu: Gpu, s: ConvShape): ConvScratch {
  const d = convDims(s);
  return {
    cols: gpu.tensor([d.rows, d.k], "f32", "conv cols"),
    mat: gpu.tensor([d.rows, s.cout], "f32", "conv mat"),
  };
}

function need(what: string, ...tensors: [string, Tensor, number][]): void {
  for (const [name, t, size] of tensors) {
    if (t.size < size) throw new Error(`${what}: ${name} holds ${t.size} elements, needs ${size}`);
  }
}

function distinct(what: string, ...tensors: Tensor[]): void {
  const seen = new Set<GPUBuffer>();
  for (const t of tensors) {
    if (seen.has(t.buffer)) throw new Error(`${what}: tensors must be distinct buffers`);
    seen.add(t.buffer);
  }
}

type LayoutEntry = "im2col" | "col2im" | "rows_to_nchw" | "nchw_to_rows";

function layout(
  gpu: Gpu,
  batch: Batch,
  entry: LayoutEntry,
  src: Tensor,
  dst: Tensor,
  count: number,
  s: ConvShape,
  d: ConvDims,
  channels: number,
): void {
  const kernel = gpu.kernel(CONV_IM2COL, { WG }, entry);
  const { n, h, w, kh, kw, pad } = s;
  const params = { count, n, c: channels, h, w, kh, kw, pad, ho: d.ho, wo: d.wo };
  batch.dispatch(kernel, { src, dst }, groups1d(gpu, count, WG), params);
}

/** cols = im2col(x): (N·Ho·Wo) × (C·kh·kw), zero where the window leaves the input. */
export function im2col(gpu: Gpu, batch: Batch, x: Tensor, cols: Tensor, s: ConvShape): void {
  const d = convDims(s);
  need("im2col", ["x", x, s.n * s.c * s.h * s.w], ["cols", cols, d.rows * d.k]);
  distinct("im2col", x, cols);
  layout(gpu, batch, "im2col", x, cols, d.rows * d.k, s, d, s.c);
}

/** dx = col2im(dcols), the adjoint of im2col (overwrites dx; deterministic). */
export function col2im(gpu: Gpu, batch: Batch, dcols: Tensor, dx: Tensor, s: ConvShape): void {
  const d = convDims(s);
  const count = s.n * s.c * s.h * s.w;
  need("col2im", ["dcols", dcols, d.rows * d.k], ["dx", dx, count]);
  distinct("col2im", dcols, dx);
  layout(gpu, batch, "col2im", dcols, dx, count, s, d, s.c);
}

/** y (N, Cout, Ho, Wo) = conv(x, w); uses scratch.cols and scratch.mat. */
export function conv2dForward(
  gpu: Gpu,
  batch: Batch,
  x: Tensor,
  w: Tensor,
  y: Tensor,
  s: ConvShape,
  scratch: ConvScratch,
  gemmOpts: GemmOptions = {},
): void {
  const d = convDims(s);
  const count = d.rows * s.cout;
  need("conv2dForward", ["w", w, s.cout * d.k], ["y", y, count], ["mat", scratch.mat, count]);
  distinct("conv2dForward", x, w, y, scratch.cols, scratch.mat);
  im2col(gpu, batch, x, scratch.cols, s);
  gemm(gpu, batch, "nt", scratch.cols, w, scratch.mat, d.rows, s.cout, d.k, gemmOpts);
  layout(gpu, batch, "rows_to_nchw", scratch.mat, y, count, s, d, s.cout);
}

export interface ConvBackwardOptions {
  /** scratch.cols still holds im2col(x) from the forward pass: skip recomputing it. */
  colsReady?: boolean;
  /** scratch.mat already holds dy in rows layout (N·Ho·Wo) × Cout: skip the permute. */
  dyRowsReady?: boolean;
  /** dw += the gradient instead of dw = (gemm accumulate). */
  accumulate?: boolean;
  gemm?: GemmOptions;
}

/**
 * dw (Cout × C·kh·kw) = dy_rowsᵀ · im2col(x). Leaves im2col(x) in scratch.cols and dy in rows
 * layout in scratch.mat (so a following conv2dBackwardData may pass dyRowsReady).
 */
export function conv2dBackwardWeights(
  gpu: Gpu,
  batch: Batch,
  x: Tensor,
  dy: Tensor,
  dw: Tensor,
  s: ConvShape,
  scratch: ConvScratch,
  opts: ConvBackwardOptions = {},
): void {
  const d = convDims(s);
  const count = d.rows * s.cout;
  need("conv2dBackwardWeights", ["dy", dy, count], ["dw", dw, s.cout * d.k], [
    "mat",
    scratch.mat,
    count,
  ]);
  distinct("conv2dBackwardWeights", x, dy, dw, scratch.cols, scratch.mat);
  if (!opts.colsReady) im2col(gpu, batch, x, scratch.cols, s);
  if (!opts.dyRowsReady) layout(gpu, batch, "nchw_to_rows", dy, scratch.mat, count, s, d, s.cout);
  gemm(gpu, batch, "tn", scratch.mat, scratch.cols, dw, s.cout, d.k, d.rows, {
    ...opts.gemm,
    accumulate: opts.accumulate ?? false,
  });
}

/**
 * dx (N, C, H, W) = col2im(dy_rows · w). Overwrites scratch.cols (with dcols), so record it after
 * conv2dBackwardWeights when both run on the same scratch.
 */
export function conv2dBackwardData(
  gpu: Gpu,
  batch: Batch,
  dy: Tensor,
  w: Tensor,
  dx: Tensor,
  s: ConvShape,
  scratch: ConvScratch,
  opts: Pick<ConvBackwardOptions, "dyRowsReady" | "gemm"> = {},
): void {
  const d = convDims(s);
  const count = d.rows * s.cout;
  need("conv2dBackwardData", ["dy", dy, count], ["w", w, s.cout * d.k], [
    "mat",
    scratch.mat,
    count,
  ]);
  distinct("conv2dBackwardData", dy, w, dx, scratch.cols, scratch.mat);
  if (!opts.dyRowsReady) layout(gpu, batch, "nchw_to_rows", dy, scratch.mat, count, s, d, s.cout);
  gemm(gpu, batch, "nn", scratch.mat, w, scratch.cols, d.rows, d.k, s.cout, opts.gemm);
  col2im(gpu, batch, scratch.cols, dx, s);
}

/** Both gradients, sharing the dy permute: dw first, then dx (which overwrites scratch.cols). */
export function conv2dBackward(
  gpu: Gpu,
  batch: Batch,
  x: Tensor,
  w: Tensor,
  dy: Tensor,
  dw: Tensor,
  dx: Tensor | null,
  s: ConvShape,
  scratch: ConvScratch,
  opts: ConvBackwardOptions = {},
): void {
  conv2dBackwardWeights(gpu, batch, x, dy, dw, s, scratch, opts);
  if (dx) conv2dBackwardData(gpu, batch, dy, w, dx, s, scratch, { ...opts, dyRowsReady: true });
}

export interface PoolShape {
  /** Planes N·C. */
  planes: number;
  h: number;
  w: number;
}

/** Output size of 2×2 / stride-2 pooling (floor, as PyTorch); both ≥ 1 required. */
export function poolDims(s: PoolShape): { ho: number; wo: number } {
  for (const key of ["planes", "h", "w"] as const) {
    if (!Number.isInteger(s[key]) || s[key] < 1) throw new Error(`pool: ${key} = ${s[key]} ≥ 1`);
  }
  const ho = Math.floor(s.h / 2);
  const wo = Math.floor(s.w / 2);
  if (ho < 1 || wo < 1) throw new Error(`pool: ${s.h}×${s.w} input is smaller than 2×2`);
  return { ho, wo };
}

function poolParams(count: number, s: PoolShape, ho: number, wo: number) {
  return { count, h: s.h, w: s.w, ho, wo };
}

/**
 * y = 2×2 max pool of x (planes × H × W → planes × ⌊H/2⌋ × ⌊W/2⌋); argmax (u32) receives the flat
 * index into x of each window's maximum, the first in row-major window order on ties. A NaN is
 * kept only when it is the window's first element (comparisons with NaN are false).
 */
export function maxPool2x2Forward(
  gpu: Gpu,
  batch: Batch,
  x: Tensor,
  y: Tensor,
  argmax: Tensor,
  s: PoolShape,
): void {
  const { ho, wo } = poolDims(s);
  const count = s.planes * ho * wo;
  need("maxPool2x2Forward", ["x", x, s.planes * s.h * s.w], ["y", y, count], [
    "argmax",
    argmax,
    count,
  ]);
  if (argmax.dtype !== "u32") throw new Error("maxPool2x2Forward: argmax must be a u32 tensor");
  distinct("maxPool2x2Forward", x, y, argmax);
  const kernel = gpu.kernel(POOL_MAX2X2, { WG }, "forward");
  const buffers = { src: x, dst: y, idx: argmax };
  batch.dispatch(kernel, buffers, groups1d(gpu, count, WG), poolParams(count, s, ho, wo));
}

/** dx = dy scattered to the recorded argmax of each window, 0 elsewhere (overwrites dx). */
export function maxPool2x2Backward(
  gpu: Gpu,
  batch: Batch,
  dy: Tensor,
  argmax: Tensor,
  dx: Tensor,
  s: PoolShape,
): void {
  const { ho, wo } = poolDims(s);
  const count = s.planes * s.h * s.w;
  const outs = s.planes * ho * wo;
  need("maxPool2x2Backward", ["dy", dy, outs], ["argmax", argmax, outs], ["dx", dx, count]);
  distinct("maxPool2x2Backward", dy, argmax, dx);
  const kernel = gpu.kernel(POOL_MAX2X2, { WG }, "backward");
  const buffers = { src: dy, dst: dx, idx: argmax };
  batch.dispatch(kernel, buffers, groups1d(gpu, count, WG), poolParams(count, s, ho, wo));
}
