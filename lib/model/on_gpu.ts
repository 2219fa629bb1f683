/** The GPU network that runs a model spec (FCN or VGG), behind the one `GpuNetwork` interface. */
import type { Gpu } from "../gpu/runtime.ts";
import type { GpuNetwork } from "./gpu_network.ts";
import { FcnOnGpu } from "./fcn_gpu.ts";
import { isVgg, type ModelSpec } from "./model.ts";
import { VggOnGpu } from "./vgg_gpu.ts";

/** The GPU network of `spec` with weights `initial`, for batches of up to `maxRows` examples. */
export function netOnGpu(
  gpu: Gpu,
  spec: ModelSpec,
  initial: Float32Array[],
  maxRows: number,
): GpuNetwork {
  return isVgg(spec)
    ? new VggOnGpu(gpu, spec, initial, maxRows)
    : new FcnOnGpu(gpu, spec, initial, maxRows);
}
