/** The architecture a training config names, for a dataset, and the network that runs it. */
import type { Dataset } from "../data/dataset.ts";
import type { Gpu } from "../gpu/runtime.ts";
import { isVgg, type ModelSpec } from "../model/model.ts";
import { vgg11Plan } from "../model/vgg.ts";
import type { TrainConfig } from "./config.ts";
import type { GpuNetwork } from "./gpu_network.ts";
import { FcnOnGpu } from "./network.ts";
import { VggOnGpu } from "./vgg_network.ts";

export function modelSpecFor(config: TrainConfig, data: Dataset): ModelSpec {
  if (config.model === "vgg11") {
    return {
      kind: "vgg",
      inputShape: data.shape,
      plan: vgg11Plan(config.width),
      numClasses: data.numClasses,
    };
  }
  return {
    inputDim: data.inputDim,
    width: config.width,
    depth: config.depth,
    numClasses: data.numClasses,
  };
}

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
