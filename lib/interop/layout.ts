/**
 * How a stored network maps onto PyTorch: tensor names and shapes as the `state_dict` of the
 * equivalent bias-free `nn.Sequential` would give them.
 *
 * - FCN (depth L): `nn.Sequential(Linear(d, n), ReLU(), Linear(n, n), ReLU(), …, Linear(n, C))`,
 *   all `bias=False`, so the weights are `0.weight`, `2.weight`, …, `{2(L−1)}.weight`, each
 *   (out, in). (The authors' `MultiLayerNN` holds the same matrices under other names.)
 * - VGG11 (width w): the convolutions, ReLUs and 2×2 max pools in plan order, then `Flatten()` and
 *   the `Linear(8w, C)` classifier in one `nn.Sequential` (the authors' `AdaptiveAvgPool2d((1,1))`
 *   is the identity on the 1×1 maps and is left out):
 *   conv weights `0, 3, 6, 8, 11, 13, 16, 18` (each (out, in, 3, 3)), classifier `22.weight`
 *   (the ReLUs, pools and Flatten take the indices between). The authors' own `vgg.py` names the
 *   same tensors `features.<i>.weight` (with the same conv indices) and `classifier.weight`.
 */
import type { FcnSpec, LayerShape } from "../model/fcn.ts";
import type { ModelSpec } from "../model/model.ts";
import { vgg11Plan, VGG_KERNEL, type VggSpec } from "../model/vgg.ts";
import type { TrainConfig } from "../train/config.ts";

/** `state_dict` names of the weights, in layer order. */
export function torchNames(config: Pick<TrainConfig, "model" | "width" | "depth">): string[] {
  if (config.model !== "vgg11") {
    return Array.from({ length: config.depth }, (_, l) => `${2 * l}.weight`);
  }
  const names: string[] = [];
  let index = 0;
  for (const entry of vgg11Plan(config.width)) {
    if (entry === "M") index += 1; // MaxPool2d
    else {
      names.push(`${index}.weight`);
      index += 2; // Conv2d, ReLU
    }
  }
  names.push(`${index + 1}.weight`); // Flatten, then Linear
  return names;
}

/**
 * The model spec of stored weights, read off their sizes (no data set needed): the input size
 * and class count follow from the first and last layers.
 */
export function specFromWeights(
  config: Pick<TrainConfig, "model" | "width" | "depth">,
  weights: Float32Array[],
): ModelSpec {
  if (weights.length !== config.depth) {
    throw new Error(`expected ${config.depth} weight layers, found ${weights.length}`);
  }
  const last = weights[weights.length - 1];
  if (config.model === "vgg11") {
    const plan = vgg11Plan(config.width);
    const convs = plan.filter((e): e is number => e !== "M");
    const cin = weights[0].length / (convs[0] * VGG_KERNEL * VGG_KERNEL);
    const spec: VggSpec = {
      kind: "vgg",
      inputShape: [cin, 32, 32],
      plan,
      numClasses: last.length / convs[convs.length - 1],
    };
    return spec;
  }
  const spec: FcnSpec = {
    inputDim: weights[0].length / config.width,
    width: config.width,
    depth: config.depth,
    numClasses: last.length / config.width,
  };
  if (config.depth === 1) throw new Error("an FCN needs at least one hidden layer");
  return spec;
}

/** PyTorch shapes of the weights: (out, in) for linear layers, (out, in, 3, 3) for convs. */
export function torchShapes(spec: ModelSpec, shapes: LayerShape[]): number[][] {
  const vgg = (spec as VggSpec).kind === "vgg";
  const k = VGG_KERNEL * VGG_KERNEL;
  return shapes.map((s, l) =>
    vgg && l < shapes.length - 1 ? [s.out, s.in / k, VGG_KERNEL, VGG_KERNEL] : [s.out, s.in]
  );
}
