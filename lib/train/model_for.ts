/** The architecture a training config names, for a dataset, and the network that runs it. */
import type { Dataset } from "../data/dataset.ts";
import type { Gpu } from "../gpu/runtime.ts";
import type { FcnSpec } from "../model/fcn.ts";
import { isVgg, type ModelSpec } from "../model/model.ts";
import { vgg11Plan } from "../model/vgg.ts";
import type { TrainConfig } from "./config.ts";
import type { GpuNetwork } from "./gpu_network.ts";
import { FcnOnGpu } from "./network.ts";
import { VggOnGpu } from "./vgg_network.ts";

/** The FCN of a config (for FCN-only code such as the 2106.03795 analyses). */
export function fcnSpecFor(config: TrainConfig, data: Dataset): FcnSpec {
  if (config.model === "vgg11") throw new Error("this analysis supports FCN configs only");
  return {
    inputDim: data.inputDim,
    width: config.width,
    depth: config.depth,
    numClasses: data.numClasses,
  };
}

export function modelSpecFor(config: TrainConfig, data: Dataset): ModelSpec {
  if (config.model !== "vgg11") return fcnSpecFor(config, data);
  return {
    kind: "vgg",
    inputShape: data.shape,
    plan: vgg11Plan(config.width),
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
