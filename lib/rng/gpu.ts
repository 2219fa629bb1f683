/** GPU fills from the counter-based RNG (kernels/rng_fill.wgsl). */
import { RNG_FILL } from "../gpu/kernels.ts";
import { type Gpu, groups1d, type Tensor } from "../gpu/runtime.ts";

export type RngFill = "bits" | "uniform" | "normal" | "exponential";

export interface RngFillOptions {
  seed: number;
  stream: number;
  step?: number;
  /** Index of the first element (counter word 0). */
  offset?: number;
  /** Workgroup size: the output never depends on it (tests check that). */
  workgroupSize?: number;
  /** Cap on workgroups; fewer groups than elements exercises the grid-stride loop. */
  maxGroups?: number;
}

/**
 * Fills `out` (u32 view of f32 bits for the float fills) with `n` draws. For "bits" the tensor
 * holds 4 words per element.
 */
export function rngFill(
  gpu: Gpu,
  kind: RngFill,
  out: Tensor,
  n: number,
  opts: RngFillOptions,
): void {
  const need = kind === "bits" ? 4 * n : n;
  if (out.size < need) {
    throw new Error(`rngFill ${kind}: output holds ${out.size} words, needs ${need}`);
  }
  const wg = opts.workgroupSize ?? 64;
  const kernel = gpu.kernel(RNG_FILL, { WG: wg }, `fill_${kind}`);
  let grid = groups1d(gpu, n, wg);
  if (opts.maxGroups !== undefined && grid[0] * grid[1] > opts.maxGroups) {
    grid = [opts.maxGroups, 1, 1];
  }
  const params = {
    seed: opts.seed,
    stream: opts.stream,
    step: opts.step ?? 0,
    offset: opts.offset ?? 0,
    n,
  };
  gpu.batch().dispatch(kernel, { out }, grid, params).submit();
}
