/** Test helper: evaluates the samplers of kernels/stable_fill.wgsl on given Philox words. */
import { STABLE_FILL } from "../lib/gpu/kernels.ts";
import { type Gpu, groups1d, type Tensor } from "../lib/gpu/runtime.ts";

export type MapEntry =
  | "map_sas"
  | "map_positive"
  | "map_normal"
  | "map_unit_half"
  | "map_exponential";

/** Runs a map_* entry of stable_fill.wgsl on explicit words, four per sample. */
export async function mapWords(
  gpu: Gpu,
  entry: MapEntry,
  alpha: number,
  quads: Uint32Array,
): Promise<Float32Array> {
  const n = quads.length / 4;
  const out = gpu.tensor([n]);
  const input: Tensor = gpu.upload(quads);
  const k = gpu.kernel(STABLE_FILL, { WG: 64 }, entry);
  const params = { seed: 0, stream: 0, step: 0, offset: 0, n, alpha };
  gpu.batch().dispatch(k, { out, words: input }, groups1d(gpu, n, 64), params).submit();
  const v = await out.read();
  out.destroy();
  input.destroy();
  return v;
}
