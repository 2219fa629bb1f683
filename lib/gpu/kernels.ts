/**
 * Every kernel of kernels/ that has entry points, declared once (kernel_decl.ts): the fields of
 * its `p: Params` and its buffers in binding order. The .wgsl files hold only the bodies;
 * tests/unit/gpu_kernel_decl_test.ts checks that each one is declared (exported) here and writes
 * no header of its own.
 */
import { declareKernel, read, readWrite, type WgslScalar } from "./kernel_decl.ts";

/** The Philox key (seed, stream) and the step word of the counter of every random draw. */
const KEY = { seed: "u32", stream: "u32", step: "u32" } as const;

/** Draw i of a fill uses counter (offset + i, step, 0, 0), i < n. */
const DRAW_PARAMS = { ...KEY, offset: "u32", n: "u32" } as const;

/**
 * C = α·op(A)·op(B) (+ C when accumulate = 1), then max(0, ·) when relu = 1 (NaN → 0), K in
 * slices of k_chunk (one slice: k_chunk = k).
 */
const GEMM_PARAMS = {
  m: "u32",
  n: "u32",
  k: "u32",
  alpha: "f32",
  accumulate: "u32",
  k_chunk: "u32",
  relu: "u32",
} as const satisfies Record<string, WgslScalar>;

/** Noise for a rows×cols weight matrix (lib/noise/inject.ts); one struct for both kernels. */
const NOISE_PARAMS = {
  ...KEY,
  n: "u32", // rows (noise_rows) or rows·cols (noise_inject)
  cols: "u32",
  alpha: "f32",
  scale: "f32",
  row0: "u32", // first row of this chunk of the layer
} as const;

export const CONV_IM2COL = declareKernel({
  file: "conv_im2col",
  params: {
    count: "u32", // elements written by this dispatch
    n: "u32",
    c: "u32", // input channels (im2col, col2im) or output channels (permutes)
    h: "u32",
    w: "u32",
    kh: "u32",
    kw: "u32",
    pad: "u32",
    ho: "u32",
    wo: "u32",
  },
  buffers: { src: read("f32"), dst: readWrite("f32") },
  entries: {
    im2col: ["src", "dst"],
    col2im: ["src", "dst"],
    rows_to_nchw: ["src", "dst"],
    nchw_to_rows: ["src", "dst"],
  },
});

export const GEMM_NAIVE = declareKernel({
  file: "gemm_naive",
  params: GEMM_PARAMS,
  buffers: { a: read("f32"), b: read("f32"), c: readWrite("f32") },
});

/** a and b are f32 or vec4<f32> per variant (lib/ops/gemm_codegen.ts); tensors are f32. */
export const GEMM_TILED = declareKernel({
  file: "gemm_tiled",
  params: GEMM_PARAMS,
  buffers: { a: read("{{A_ELEM}}", "f32"), b: read("{{B_ELEM}}", "f32"), c: readWrite("f32") },
});

/** a and b are f32 or vec4<f32> per variant (lib/ops/gemm_reg_codegen.ts); tensors are f32. */
export const GEMM_REG = declareKernel({
  file: "gemm_reg",
  params: GEMM_PARAMS,
  buffers: { a: read("{{A_ELEM}}", "f32"), b: read("{{B_ELEM}}", "f32"), c: readWrite("f32") },
});

export const GEMM_SPLITK_REDUCE = declareKernel({
  file: "gemm_splitk_reduce",
  params: { count: "u32", splits: "u32", alpha: "f32", accumulate: "u32", relu: "u32" },
  buffers: { partials: read("f32"), c: readWrite("f32") },
});

export const NN_ELEMENTWISE = declareKernel({
  file: "nn_elementwise",
  params: { count: "u32", lr: "f32" },
  buffers: { x: readWrite("f32"), y: read("f32") },
  entries: {
    relu: ["x"],
    relu_backward: ["x", "y"],
    sgd_step: ["x", "y"],
    running_mean: ["x", "y"],
  },
});

/** Writes words: fills f32, u32 and i32 tensors alike. */
export const NN_FILL = declareKernel({
  file: "nn_fill",
  params: { count: "u32", bits: "u32" },
  buffers: { t: readWrite("u32", "any") },
});

/** Copies words: gathers f32 rows and u32 labels alike. */
export const NN_GATHER = declareKernel({
  file: "nn_gather",
  params: { total: "u32", cols: "u32", offset: "u32" },
  buffers: { src: read("u32", "any"), indices: read("u32"), dst: readWrite("u32", "any") },
});

export const NN_MASK_ROWS = declareKernel({
  file: "nn_mask_rows",
  params: { count: "u32", cols: "u32" },
  buffers: { w: readWrite("f32"), mask: read("u32") },
});

export const NN_REDUCE_PAIRS = declareKernel({
  file: "nn_reduce_pairs",
  params: {
    pairs: "u32",
    dst_offset: "u32",
    groups: "u32", // workgroups with work; a grid folded into 2-D may have a few more
  },
  buffers: { src: read("f32"), dst: readWrite("f32") },
});

export const NN_ROW_NORMS = declareKernel({
  file: "nn_row_norms",
  params: { rows: "u32", cols: "u32" },
  buffers: { w: read("f32"), out: readWrite("f32") },
});

export const NN_SOFTMAX_CE = declareKernel({
  file: "nn_softmax_ce",
  params: { rows: "u32", classes: "u32", grad_scale: "f32", label_offset: "u32" },
  buffers: {
    logits: read("f32"),
    labels: read("u32"),
    stats: readWrite("f32"),
    dlogits: readWrite("f32"),
  },
  entries: {
    stats_only: ["logits", "labels", "stats"],
    stats_grad: ["logits", "labels", "stats", "dlogits"],
  },
});

export const NOISE_INJECT = declareKernel({
  file: "noise_inject",
  params: NOISE_PARAMS,
  buffers: { w: readWrite("f32"), row_factor: read("f32") },
  entries: {
    add_row_scalar: ["w", "row_factor"],
    add_iid_sas: ["w"],
    add_row_gauss: ["w", "row_factor"],
  },
});

export const NOISE_ROWS = declareKernel({
  file: "noise_rows",
  params: NOISE_PARAMS,
  buffers: { out: readWrite("f32") },
  entries: { row_sas: ["out"], row_sqrt_positive: ["out"] },
});

export const POOL_MAX2X2 = declareKernel({
  file: "pool_max2x2",
  params: {
    count: "u32", // elements written: P·Ho·Wo (forward) or P·H·W (backward)
    h: "u32",
    w: "u32",
    ho: "u32",
    wo: "u32",
  },
  buffers: { src: read("f32"), dst: readWrite("f32"), idx: readWrite("u32") },
  entries: { forward: ["src", "dst", "idx"], backward: ["src", "dst", "idx"] },
});

/** Writes words: the float fills write f32 bits. */
export const RNG_FILL = declareKernel({
  file: "rng_fill",
  params: DRAW_PARAMS,
  buffers: { out: readWrite("u32", "any") },
  entries: {
    fill_bits: ["out"],
    fill_uniform: ["out"],
    fill_normal: ["out"],
    fill_exponential: ["out"],
  },
});

export const STABLE_FILL = declareKernel({
  file: "stable_fill",
  params: { ...DRAW_PARAMS, alpha: "f32" },
  buffers: { out: readWrite("f32"), words: read("u32") },
  entries: {
    fill_sas: ["out"],
    fill_positive: ["out"],
    map_sas: ["out", "words"],
    map_positive: ["out", "words"],
    map_normal: ["out", "words"],
    map_unit_half: ["out", "words"],
    map_exponential: ["out", "words"],
  },
});
