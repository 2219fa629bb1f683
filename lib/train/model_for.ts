/** The architecture a training config names, for a dataset. */
import type { Dataset } from "../data/dataset.ts";
import type { FcnSpec } from "../model/fcn.ts";
import type { ModelSpec } from "../model/model.ts";
import { vgg11Plan } from "../model/vgg.ts";
import type { TrainConfig } from "./config.ts";

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
