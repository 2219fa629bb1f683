/**
 * Dense f32 matrix products on the GPU, recorded into a Batch:
 *   C[M×N] = α·op(A)·op(B) (+ C if accumulate), all row-major; with `relu` the result is
 *   max(0, ·) (NaN → 0, as lib/ops/nn.ts relu), the hidden layers' forward in one pass.
 *   nn: A is M×K, B is K×N.  nt: A is M×K, B is N×K (C = A·Bᵀ).  tn: A is K×M, B is K×N (C = Aᵀ·B).
 *
 * Variants (all correct for any M, N, K ≥ 1):
 *   naive    one thread per output, no shared memory (tiny shapes; CPU adapters)
 *   t32      32×32 tile, 4×4 per thread, BK 8, 64 threads (mid-size shapes)
 *   t128x64  128×64 tile, 8×4 per thread, BK 8, 256 threads (large shapes on real GPUs)
 *   splitk   t32 tiles over S slices of K, partial sums added by a second pass in a fixed order
 *            (few outputs, long K, e.g. the output layer's C = dLogitsᵀ·H with M = 10)
 *   reg      no shared memory, no barrier: each invocation computes an 8×8 block of C straight
 *            from global memory (kernels/gemm_reg.wgsl); CPU adapters (llvmpipe, lavapipe)
 * The tiled variants use 16-byte global loads for an operand whose contiguous dimension is a
 * multiple of 4. `chooseGemmVariant` picks one from the shape and the adapter; `opts.variant`
 * or `forceGemmVariant` override it (tests, benchmarks).
 *
 * Why BK 8 and no 64×64 variant: on Mesa llvmpipe (GL), the CI adapter, pipeline compile time
 * grows steeply with the shared tile (naga zero-initialises workgroup memory; see
 * kernels/gemm_tiled.wgsl): t128x64 took ~9 s per pipeline at BK 16, ~3.5 s at BK 8 and ~1.5 s
 * at BK 4 (used on CPU adapters only), and our H100 probe measured BK 8 and 16 within a few
 * percent of each other. A 64×64 variant cost ~1.5 s per pipeline in the tests for little gain
 * over t32 / t128x64.
 */
import { GEMM_NAIVE, GEMM_REG, GEMM_SPLITK_REDUCE, GEMM_TILED } from "../gpu/kernels.ts";
import { type Batch, type Gpu, groups1d, type Tensor } from "../gpu/runtime.ts";
import { tiledGemmDefines, type TileShape, tileSharedBytes, tileThreads } from "./gemm_codegen.ts";
import type { GemmMode } from "./gemm_codegen.ts";
import { regGemmDefines, type RegShape, regTile } from "./gemm_reg_codegen.ts";

export type { GemmMode } from "./gemm_codegen.ts";

export type GemmVariant = "naive" | "t32" | "t128x64" | "splitk" | "reg";

export const TILES: Record<"t32" | "t128x64", TileShape> = {
  t32: { bm: 32, bn: 32, bk: 8, tm: 4 },
  t128x64: { bm: 128, bn: 64, bk: 8, tm: 8 },
};

/**
 * On CPU adapters t128x64 stages K 4 at a time: its pipeline then compiles in ~1.5 s instead of
 * ~3.5 s on llvmpipe (see the module comment). Real GPUs use the tile as declared.
 */
const SOFTWARE_T128_BK = 4;

const NAIVE_WG = 8; // 8×8 threads

export function gemmVariants(): GemmVariant[] {
  return ["naive", "t32", "t128x64", "splitk", "reg"];
}

export interface GemmOptions {
  alpha?: number;
  accumulate?: boolean;
  /** Store max(0, α·op(A)·op(B) (+ C)) instead (NaN → 0, like `relu` of lib/ops/nn.ts). */
  relu?: boolean;
  /** Use this variant instead of the chosen one. */
  variant?: GemmVariant;
  /** Tiled and reg variants: allow 16-byte loads where aligned (default true); false: scalar. */
  vec4?: boolean;
  /** splitk: number of K slices (default from the shape; one slice runs as t32). */
  splits?: number;
  /** Tiled variants: K depth of the shared tile (a multiple of 4), for tests and benchmarks. */
  tileK?: number;
  /** reg: block and workgroup shape instead of the chosen one (tests, the sweep). */
  regShape?: RegShape;
}

let forced: GemmVariant | undefined;

/** Makes every later `gemm` call without `opts.variant` use `variant` (undefined: automatic). */
export function forceGemmVariant(variant: GemmVariant | undefined): void {
  forced = variant;
}

/**
 * Products smaller than this (≈ 100³) use naive on CPU adapters: at most ~4 ms each there, less
 * than compiling a reg pipeline, which small runs and tests would otherwise pay per mode.
 */
const SOFTWARE_REG_MIN_MACS = 2 ** 20;

/** t32 tiles below which a long-K product is split along K on a real GPU (4 per SM). */
const SPLITK_MAX_TILES = 4 * 132;
/** Workgroups split-K aims for (a few per SM on a large GPU). */
const SPLITK_TARGET_GROUPS = 1024;
/** Shortest K slice worth a workgroup. */
const SPLITK_MIN_CHUNK = 256;
/** Enough workgroups to fill a large GPU (an H100 has 132 SMs). */
const FILL_GROUPS = 132;

function tilesOf(t: TileShape, m: number, n: number): number {
  return Math.ceil(m / t.bm) * Math.ceil(n / t.bn);
}

/**
 * The reg variant's block and workgroup shape (bench/gemm_sweep.ts on llvmpipe and lavapipe,
 * docs/webgpu.md §3): one shape for every product, so that a training run compiles at most one
 * pipeline per mode and operand layout. The shape never changes the result (each output is
 * summed in the same order).
 */
export const REG_SHAPE: Readonly<RegShape> = Object.freeze({ rm: 8, rn: 8, wx: 8, wy: 4 });

/** The variant `gemm` uses for this shape on this adapter when none is forced. */
export function chooseGemmVariant(gpu: Gpu, m: number, n: number, k: number): GemmVariant {
  const macs = m * n * k;
  if (gpu.summary.isSoftware) {
    // CPU rasterisers: barriers are dear and shared memory is plain memory, so the barrier-free
    // register-blocked variant beats the tiled ones at every training shape (bench/gemm_sweep.ts).
    // Below SOFTWARE_REG_MIN_MACS naive's cheaper pipeline (~0.1 s to compile, not ~1 s) wins.
    return macs < SOFTWARE_REG_MIN_MACS ? "naive" : "reg";
  }
  if (macs < 32 * 32 * 32) return "naive";
  if (tilesOf(TILES.t128x64, m, n) >= FILL_GROUPS) return "t128x64";
  if (k >= 2 * SPLITK_MIN_CHUNK && tilesOf(TILES.t32, m, n) < SPLITK_MAX_TILES) return "splitk";
  return "t32";
}

function checkShape(
  mode: GemmMode,
  a: Tensor,
  b: Tensor,
  c: Tensor,
  m: number,
  n: number,
  k: number,
) {
  for (const [name, v] of [["m", m], ["n", n], ["k", k]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`gemm ${mode}: ${name} = ${v} must be ≥ 1`);
  }
  if (c.buffer === a.buffer || c.buffer === b.buffer) {
    throw new Error(`gemm ${mode}: C must not share a buffer with A or B`);
  }
  const need: [string, Tensor, number][] = [["A", a, m * k], ["B", b, k * n], ["C", c, m * n]];
  for (const [name, t, size] of need) {
    if (t.size < size) {
      throw new Error(
        `gemm ${mode} ${m}×${n}×${k}: ${name} holds ${t.size} elements, needs ${size}`,
      );
    }
  }
}

/** Whether op(A) / op(B) can be read as vec4 (contiguous dimension a multiple of 4). */
function vec4Eligible(mode: GemmMode, m: number, n: number, k: number) {
  return {
    a: mode === "tn" ? m % 4 === 0 : k % 4 === 0,
    b: mode === "nt" ? k % 4 === 0 : n % 4 === 0,
  };
}

const scratch = new WeakMap<Gpu, Tensor>();

/**
 * Scratch for split-K partial sums, shared by all split-K products of a Gpu (dispatches run in
 * order, so one buffer serves every product in a batch). Grown, never shrunk; an outgrown buffer
 * is dropped without destroy() because a batch not yet submitted may still refer to it.
 */
function splitScratch(gpu: Gpu, floats: number): Tensor {
  let t = scratch.get(gpu);
  if (!t || t.size < floats) {
    t = gpu.tensor([Math.max(floats, 1 << 16)], "f32", "gemm split-K scratch");
    scratch.set(gpu, t);
  }
  return t;
}

/**
 * Split count and K slice length (a multiple of BK) for a split-K product; one split when the
 * partial sums would not fit the scratch limit.
 */
function splitPlan(gpu: Gpu, t: TileShape, m: number, n: number, k: number, want?: number) {
  const maxScratch = Math.min(gpu.limits.maxStorageBufferBindingSize, 256 * 2 ** 20) / 4;
  const s = want ??
    Math.min(
      Math.ceil(SPLITK_TARGET_GROUPS / tilesOf(t, m, n)),
      Math.floor(k / SPLITK_MIN_CHUNK),
      64,
    );
  const capped = Math.max(1, Math.min(s, Math.floor(maxScratch / (m * n)), Math.ceil(k / t.bk)));
  const chunk = Math.ceil(Math.ceil(k / capped) / t.bk) * t.bk;
  return { splits: Math.ceil(k / chunk), chunk };
}

interface Epilogue {
  alpha: number;
  accumulate: boolean;
  relu: boolean;
}

function gemmParams(m: number, n: number, k: number, e: Epilogue, chunk: number) {
  return {
    m,
    n,
    k,
    alpha: e.alpha,
    accumulate: e.accumulate ? 1 : 0,
    k_chunk: chunk,
    relu: e.relu ? 1 : 0,
  };
}

/**
 * Records C = α·op(A)·op(B) (+ C) into `batch`; see the module comment for the modes. A, B, C
 * are used from element 0 and may be longer than the product needs; C must be its own buffer.
 */
export function gemm(
  gpu: Gpu,
  batch: Batch,
  mode: GemmMode,
  a: Tensor,
  b: Tensor,
  c: Tensor,
  m: number,
  n: number,
  k: number,
  opts: GemmOptions = {},
): void {
  checkShape(mode, a, b, c, m, n, k);
  const epi: Epilogue = {
    alpha: opts.alpha ?? 1,
    accumulate: opts.accumulate ?? false,
    relu: opts.relu ?? false,
  };
  const variant = opts.variant ?? forced ?? chooseGemmVariant(gpu, m, n, k);

  if (variant === "reg") {
    const shape = opts.regShape ?? REG_SHAPE;
    if (shape.wx * shape.wy > gpu.limits.maxComputeInvocationsPerWorkgroup) {
      throw new Error(`gemm reg: workgroup ${shape.wx}×${shape.wy} exceeds the adapter's limit`);
    }
    const vec = vec4Eligible(mode, m, n, k);
    const useVec = opts.vec4 ?? true;
    const kernel = gpu.kernel(
      GEMM_REG,
      regGemmDefines(shape, mode, useVec && vec.a, useVec && vec.b),
    );
    const tile = regTile(shape);
    const grid: [number, number, number] = [Math.ceil(n / tile.cols), Math.ceil(m / tile.rows), 1];
    batch.dispatch(kernel, { a, b, c }, grid, gemmParams(m, n, k, epi, k));
    return;
  }

  if (variant === "naive") {
    const kernel = gpu.kernel(GEMM_NAIVE, {
      WG_X: NAIVE_WG,
      WG_Y: NAIVE_WG,
      A_INDEX: mode === "tn" ? "kk * p.m + row" : "row * p.k + kk",
      B_INDEX: mode === "nt" ? "col * p.k + kk" : "kk * p.n + col",
    });
    const grid: [number, number, number] = [Math.ceil(n / NAIVE_WG), Math.ceil(m / NAIVE_WG), 1];
    batch.dispatch(kernel, { a, b, c }, grid, gemmParams(m, n, k, epi, k));
    return;
  }

  const split = variant === "splitk";
  const base = split ? TILES.t32 : TILES[variant];
  if (!base) throw new Error(`unknown GEMM variant "${variant}"`);
  const softBk = variant === "t128x64" && gpu.summary.isSoftware ? SOFTWARE_T128_BK : base.bk;
  const tile = { ...base, bk: opts.tileK ?? softBk };
  if (tileSharedBytes(tile) > gpu.limits.maxComputeWorkgroupStorageSize) {
    throw new Error(`gemm ${variant}: tile needs more shared memory than the adapter has`);
  }
  if (tileThreads(tile) > gpu.limits.maxComputeInvocationsPerWorkgroup) {
    throw new Error(`gemm ${variant}: tile needs more threads per workgroup than the adapter has`);
  }
  const vec = vec4Eligible(mode, m, n, k);
  const useVec = opts.vec4 ?? true;
  const plan = split ? splitPlan(gpu, tile, m, n, k, opts.splits) : { splits: 1, chunk: k };
  const [va, vb] = [useVec && vec.a, useVec && vec.b];
  const kernel = gpu.kernel(GEMM_TILED, tiledGemmDefines(tile, mode, va, vb, split));
  const grid: [number, number, number] = [
    Math.ceil(n / tile.bn),
    Math.ceil(m / tile.bm),
    plan.splits,
  ];
  if (plan.splits === 1) {
    // Also splitk with one slice: the tile kernel writes C directly.
    const direct = split
      ? gpu.kernel(GEMM_TILED, tiledGemmDefines(tile, mode, va, vb, false))
      : kernel;
    batch.dispatch(direct, { a, b, c }, grid, gemmParams(m, n, k, epi, k));
    return;
  }
  const partials = splitScratch(gpu, plan.splits * m * n);
  batch.dispatch(
    kernel,
    { a, b, c: partials },
    grid,
    gemmParams(m, n, k, { alpha: 1, accumulate: false, relu: false }, plan.chunk),
  );
  const wg = 256;
  const reduce = gpu.kernel(GEMM_SPLITK_REDUCE, { WG: wg });
  const params = {
    count: m * n,
    splits: plan.splits,
    alpha: epi.alpha,
    accumulate: epi.accumulate ? 1 : 0,
    relu: epi.relu ? 1 : 0,
  };
  batch.dispatch(reduce, { partials, c }, groups1d(gpu, m * n, wg), params);
}
