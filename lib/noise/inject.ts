/**
 * Heavy-tailed noise added to a weight matrix after the SGD step, on the GPU
 * (kernels/noise_rows.wgsl + kernels/noise_inject.wgsl; CPU twin: lib/reference/noise_inject.ts). The laws,
 * conventions and RNG keys are described in spec.ts.
 *
 * Types I and III cost one stable draw per row (a small kernel writes the per-row factors into a
 * scratch buffer); the add kernel then reads and writes each weight exactly once. Draws are keyed
 * by (seed, layer stream) and counter (row or element, step, 0, 0), so a run is bit-reproducible
 * and independent of the dispatch shape.
 */
import { NOISE_INJECT, NOISE_ROWS } from "../gpu/kernels.ts";
import { type Batch, type Gpu, groups1d, type Tensor } from "../gpu/runtime.ts";
import { type InjectOptions, NoisePurpose, noiseStream, resolveInjection } from "./spec.ts";

export {
  type Alpha2Convention,
  type InjectOptions,
  NOISE_STREAM_BASE,
  noiseScale,
  type NoiseSpec,
  noiseStream,
  type NoiseType,
  validateNoiseSpec,
} from "./spec.ts";

export interface GpuInjectOptions extends InjectOptions {
  /** Workgroup size (default 64); the result never depends on it. */
  workgroupSize?: number;
  /**
   * Cap on workgroups per dispatch (tests use it to exercise the grid-stride loops). Default:
   * none on GPUs, SOFTWARE_MAX_GROUPS on CPU adapters.
   */
  maxGroups?: number;
  /**
   * `w` holds rows firstRow … firstRow + rows − 1 of a larger layer (default 0): the noise drawn is
   * that of those rows of the whole layer, so a layer too large for one binding can be sampled in
   * chunks (`sampleNoise`).
   */
  firstRow?: number;
}

/** One scratch buffer of per-row factors per device, grown on demand. */
const scratchByGpu = new WeakMap<Gpu, Tensor>();

function rowScratch(gpu: Gpu, rows: number): Tensor {
  const have = scratchByGpu.get(gpu);
  if (have && have.size >= rows) return have;
  // The old buffer is not destroyed: a recorded, unsubmitted batch may still use it.
  const t = gpu.tensor([Math.max(rows, 2 * (have?.size ?? 0), 1024)], "f32", "noise row factors");
  scratchByGpu.set(gpu, t);
  return t;
}

/**
 * On a CPU rasteriser (llvmpipe) every workgroup costs a coroutine switch: a few fat workgroups
 * looping over the grid stride draw Type II noise at width 512 in ~5 ms instead of ~9–17 ms
 * (issue #23 profile). The draws never depend on the grid (counter-based), only the speed does.
 */
export const SOFTWARE_MAX_GROUPS = 64;

function grid(gpu: Gpu, threads: number, wg: number, maxGroups?: number) {
  const g = groups1d(gpu, threads, wg);
  return maxGroups !== undefined && g[0] * g[1] > maxGroups ? maxGroups : g;
}

/**
 * Records into `batch` the dispatches that add noise to `w` (rows×cols f32, row-major, exactly
 * rows·cols elements). A conv weight (out, in, kh, kw) is rows = out, cols = in·kh·kw. Type 0 or
 * σ = 0 records nothing. Nothing is submitted.
 */
export function injectNoise(
  gpu: Gpu,
  batch: Batch,
  w: Tensor,
  rows: number,
  cols: number,
  opts: GpuInjectOptions,
): void {
  const { spec, scale, rowScale } = resolveInjection(rows, cols, opts);
  if (w.size !== rows * cols) {
    throw new Error(`w: tensor of ${w.size} elements is not rows·cols = ${rows}·${cols}`);
  }
  if (w.dtype !== "f32") throw new Error(`w: dtype ${w.dtype} is not f32`);
  if (spec.type === 0 || spec.sigma === 0 || rows * cols === 0) return;
  const wg = opts.workgroupSize ?? 64;
  const maxGroups = opts.maxGroups ?? (gpu.summary.isSoftware ? SOFTWARE_MAX_GROUPS : undefined);
  const n = rows * cols;
  const firstRow = opts.firstRow ?? 0;
  if (!Number.isInteger(firstRow) || firstRow < 0 || (firstRow + rows) * cols > 2 ** 32) {
    throw new Error(
      `firstRow: ${firstRow} must be an integer ≥ 0 with (firstRow + rows)·cols ≤ 2^32`,
    );
  }
  const rowStream = noiseStream(opts.layer, NoisePurpose.row);
  const elementStream = noiseStream(opts.layer, NoisePurpose.element);
  const params = (stream: number, count: number, s: number) => ({
    seed: opts.seed,
    stream,
    step: opts.step,
    n: count,
    cols,
    alpha: spec.alpha,
    scale: s,
    row0: firstRow,
  });
  if (spec.type === 2) {
    const k = gpu.kernel(NOISE_INJECT, { WG: wg }, "add_iid_sas");
    batch.dispatch(k, { w }, grid(gpu, n, wg, maxGroups), params(elementStream, n, scale));
    return;
  }
  const scratch = rowScratch(gpu, rows);
  const rowEntry = spec.type === 1 ? "row_sas" : "row_sqrt_positive";
  const rowKernel = gpu.kernel(NOISE_ROWS, { WG: wg }, rowEntry);
  batch.dispatch(
    rowKernel,
    { out: scratch },
    grid(gpu, rows, wg, maxGroups),
    params(rowStream, rows, spec.type === 1 ? rowScale : scale),
  );
  const addEntry = spec.type === 1 ? "add_row_scalar" : "add_row_gauss";
  const addKernel = gpu.kernel(NOISE_INJECT, { WG: wg }, addEntry);
  batch.dispatch(
    addKernel,
    { w, row_factor: scratch },
    grid(gpu, n, wg, maxGroups),
    params(elementStream, n, scale),
  );
}
