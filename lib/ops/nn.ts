/**
 * The non-GEMM operations of training and pruning, each recorded into a Batch (nothing is
 * submitted here). Kernels are kernels/nn_*.wgsl; CPU twins are in lib/reference/ops.ts.
 */
import {
  NN_ELEMENTWISE,
  NN_FILL,
  NN_GATHER,
  NN_MASK_ROWS,
  NN_REDUCE_PAIRS,
  NN_ROW_NORMS,
  NN_SOFTMAX_CE,
} from "../gpu/kernels.ts";
import { type Batch, type Gpu, groups1d, type Tensor } from "../gpu/runtime.ts";

const WG = 256;
/** Threads per row in rowSquaredNorms. */
const ROW_WG = 64;
/** sumPairs: each workgroup of one tree pass adds 2·PAIR_WG pairs. */
const PAIR_WG = 256;
/** Workgroup cap of the grid-stride kernels on CPU adapters (see strideGroups). */
const SOFTWARE_MAX_GROUPS = 64;

/**
 * Workgroups of the grid-stride kernels (nn_elementwise, nn_gather) for `threads` elements: the
 * full grid on GPUs; on CPU adapters at most SOFTWARE_MAX_GROUPS, each thread looping over the
 * grid stride (on llvmpipe a workgroup costs a coroutine switch). Results never depend on it.
 */
function strideGroups(gpu: Gpu, threads: number, wg: number): [number, number, number] {
  const g = groups1d(gpu, threads, wg);
  return gpu.summary.isSoftware && g[0] * g[1] > SOFTWARE_MAX_GROUPS
    ? [SOFTWARE_MAX_GROUPS, 1, 1]
    : g;
}

function checkCount(what: string, count: number, ...tensors: [string, Tensor, number][]): void {
  if (!Number.isInteger(count) || count < 0) throw new Error(`${what}: bad count ${count}`);
  for (const [name, t, need] of tensors) {
    if (t.size < need) throw new Error(`${what}: ${name} holds ${t.size} elements, needs ${need}`);
  }
}

function elementwise(
  gpu: Gpu,
  batch: Batch,
  entry: "relu" | "relu_backward" | "sgd_step" | "running_mean",
  x: Tensor,
  y: Tensor | undefined,
  count: number,
  lr = 0,
): void {
  const kernel = gpu.kernel(NN_ELEMENTWISE, { WG }, entry);
  batch.dispatch(kernel, { x, y }, strideGroups(gpu, count, WG), { count, lr });
}

/** x = max(x, 0) in place on the first `count` elements (NaN → 0). */
export function relu(gpu: Gpu, batch: Batch, x: Tensor, count: number): void {
  checkCount("relu", count, ["x", x, count]);
  elementwise(gpu, batch, "relu", x, undefined, count);
}

/** grad[i] = act[i] > 0 ? grad[i] : 0, with `act` the ReLU output of the forward pass. */
export function reluBackward(
  gpu: Gpu,
  batch: Batch,
  grad: Tensor,
  act: Tensor,
  count: number,
): void {
  checkCount("reluBackward", count, ["grad", grad, count], ["act", act, count]);
  elementwise(gpu, batch, "relu_backward", grad, act, count);
}

/** w -= lr·g on the first `count` elements. */
export function sgdStep(
  gpu: Gpu,
  batch: Batch,
  w: Tensor,
  g: Tensor,
  lr: number,
  count: number,
): void {
  checkCount("sgdStep", count, ["w", w, count], ["g", g, count]);
  elementwise(gpu, batch, "sgd_step", w, g, count, lr);
}

/** avg = avg + (w − avg)·invN, i.e. the running mean of iterates; invN = 1 copies w exactly. */
export function runningMean(
  gpu: Gpu,
  batch: Batch,
  avg: Tensor,
  w: Tensor,
  invN: number,
  count: number,
): void {
  checkCount("runningMean", count, ["avg", avg, count], ["w", w, count]);
  if (!(invN > 0 && invN <= 1)) throw new Error(`runningMean: 1/n = ${invN} must be in (0, 1]`);
  elementwise(gpu, batch, "running_mean", avg, w, count, invN);
}

/** t[i] = value for i < count; an f32 tensor takes value as f32, a u32/i32 tensor as integer. */
export function fill(gpu: Gpu, batch: Batch, t: Tensor, value: number, count: number): void {
  checkCount("fill", count, ["t", t, count]);
  const word = new Uint32Array(1);
  if (t.dtype === "f32") new Float32Array(word.buffer)[0] = value;
  else if (t.dtype === "i32") new Int32Array(word.buffer)[0] = value;
  else word[0] = value;
  const kernel = gpu.kernel(NN_FILL, { WG });
  batch.dispatch(kernel, { t }, groups1d(gpu, count, WG), { count, bits: word[0] });
}

export interface SoftmaxCrossEntropyOptions {
  /** dlogits = (softmax − onehot)·gradScale; default 1/rows (gradient of the mean loss). */
  gradScale?: number;
  /** Row r's label is labels[labelOffset + r]. */
  labelOffset?: number;
}

/**
 * Per row r of rows×classes logits: rowStats[2r] = −log softmax(x)[label] (stable),
 * rowStats[2r+1] = 1 if argmax (lowest index on ties) == label else 0; and, when `dlogits` is
 * given, dlogits = (softmax − onehot)·gradScale. A label ≥ classes gives loss NaN.
 */
export function softmaxCrossEntropy(
  gpu: Gpu,
  batch: Batch,
  logits: Tensor,
  labels: Tensor,
  dlogits: Tensor | null,
  rowStats: Tensor,
  rows: number,
  classes: number,
  opts: SoftmaxCrossEntropyOptions = {},
): void {
  const labelOffset = opts.labelOffset ?? 0;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`softmaxCrossEntropy: bad classes ${classes}`);
  }
  const need: [string, Tensor, number][] = [
    ["logits", logits, rows * classes],
    ["labels", labels, labelOffset + rows],
    ["rowStats", rowStats, 2 * rows],
  ];
  if (dlogits) need.push(["dlogits", dlogits, rows * classes]);
  if (dlogits?.buffer === logits.buffer) {
    throw new Error("softmaxCrossEntropy: dlogits must not share a buffer with logits");
  }
  checkCount("softmaxCrossEntropy", rows, ...need);
  const params = {
    rows,
    classes,
    grad_scale: opts.gradScale ?? 1 / rows,
    label_offset: labelOffset,
  };
  const kernel = gpu.kernel(NN_SOFTMAX_CE, { WG: 64 }, dlogits ? "stats_grad" : "stats_only");
  const buffers = { logits, labels, stats: rowStats, dlogits: dlogits ?? undefined };
  batch.dispatch(kernel, buffers, groups1d(gpu, rows, 64), params);
}

const pairScratch = new WeakMap<Gpu, [Tensor, Tensor]>();

/** Two ping-pong buffers for the inner levels of the sumPairs tree (grown, never destroyed). */
function pairBuffers(gpu: Gpu, floats: number): [Tensor, Tensor] {
  let s = pairScratch.get(gpu);
  if (!s || s[0].size < floats) {
    const size = Math.max(floats, 1024);
    s = [gpu.tensor([size], "f32", "sumPairs scratch A"), gpu.tensor([size], "f32", "sumPairs B")];
    pairScratch.set(gpu, s);
  }
  return s;
}

/**
 * out[outOffset] = Σ_r rowStats[2r], out[outOffset+1] = Σ_r rowStats[2r+1], by a tree whose shape
 * depends only on `rows` (bit-identical on every run); rows = 0 writes zeros. `out` must be a
 * different buffer from `rowStats`.
 */
export function sumPairs(
  gpu: Gpu,
  batch: Batch,
  rowStats: Tensor,
  rows: number,
  out: Tensor,
  outOffset: number,
): void {
  checkCount("sumPairs", rows, ["rowStats", rowStats, 2 * rows], ["out", out, outOffset + 2]);
  if (out.buffer === rowStats.buffer) throw new Error("sumPairs: out must differ from rowStats");
  const kernel = gpu.kernel(NN_REDUCE_PAIRS, { WG: PAIR_WG });
  const perGroup = 2 * PAIR_WG;
  let src: Tensor = rowStats;
  let pairs = rows;
  let flip = 0;
  const scratch = rows > perGroup ? pairBuffers(gpu, 2 * Math.ceil(rows / perGroup)) : undefined;
  for (;;) {
    const groups = Math.max(1, Math.ceil(pairs / perGroup));
    const last = groups === 1;
    const dst = last ? out : scratch![flip];
    const params = { pairs, dst_offset: last ? outOffset : 0, groups };
    batch.dispatch(kernel, { src, dst }, groups1d(gpu, groups, 1), params);
    if (last) return;
    src = dst;
    pairs = groups;
    flip ^= 1;
  }
}

/** out[r] = Σ_j w[r, j]² for a rows×cols matrix (fixed-order sums). */
export function rowSquaredNorms(
  gpu: Gpu,
  batch: Batch,
  w: Tensor,
  rows: number,
  cols: number,
  out: Tensor,
): void {
  checkCount("rowSquaredNorms", rows, ["w", w, rows * cols], ["out", out, rows]);
  const kernel = gpu.kernel(NN_ROW_NORMS, { WG: ROW_WG });
  batch.dispatch(kernel, { w, out }, groups1d(gpu, rows, 1), { rows, cols });
}

/** Zeroes row r of the rows×cols matrix w wherever mask[r] (u32) is 0. */
export function maskRows(
  gpu: Gpu,
  batch: Batch,
  w: Tensor,
  rows: number,
  cols: number,
  mask: Tensor,
): void {
  checkCount("maskRows", rows, ["w", w, rows * cols], ["mask", mask, rows]);
  if (cols < 1) return;
  const kernel = gpu.kernel(NN_MASK_ROWS, { WG });
  const count = rows * cols;
  batch.dispatch(kernel, { w, mask }, groups1d(gpu, count, WG), { count, cols });
}

function gather(
  gpu: Gpu,
  batch: Batch,
  src: Tensor,
  indices: Tensor,
  dst: Tensor,
  count: number,
  cols: number,
  indexOffset: number,
): void {
  const total = count * cols;
  if (total === 0) return;
  const kernel = gpu.kernel(NN_GATHER, { WG });
  const params = { total, cols, offset: indexOffset };
  batch.dispatch(kernel, { src, indices, dst }, strideGroups(gpu, total, WG), params);
}

/**
 * dst[i, :] = src[indices[indexOffset + i], :] for i < count (rows of `cols` words, copied bit
 * for bit). Indices must be valid rows of src.
 */
export function gatherRows(
  gpu: Gpu,
  batch: Batch,
  src: Tensor,
  indices: Tensor,
  dst: Tensor,
  count: number,
  cols: number,
  indexOffset = 0,
): void {
  checkCount(
    "gatherRows",
    count,
    ["indices", indices, indexOffset + count],
    ["dst", dst, count * cols],
  );
  gather(gpu, batch, src, indices, dst, count, cols, indexOffset);
}

/** dst[i] = src[indices[indexOffset + i]] for u32 labels. */
export function gatherLabels(
  gpu: Gpu,
  batch: Batch,
  src: Tensor,
  indices: Tensor,
  dst: Tensor,
  count: number,
  indexOffset = 0,
): void {
  checkCount("gatherLabels", count, ["indices", indices, indexOffset + count], ["dst", dst, count]);
  gather(gpu, batch, src, indices, dst, count, 1, indexOffset);
}
