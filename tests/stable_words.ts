/** Test helper: evaluates the samplers of kernels/stable_fill.wgsl on given Philox words. */
import { type Gpu, groups1d, Params, type Tensor } from "../lib/gpu/runtime.ts";

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
  const k = gpu.kernel("stable_fill", { WG: 64 }, entry);
  const params = new Params().u32(0).u32(0).u32(0).u32(0).u32(n).f32(alpha);
  gpu.batch().dispatch(k, [out, input], groups1d(gpu, n, 64), params).submit();
  const v = await out.read();
  out.destroy();
  input.destroy();
  return v;
}
