/**
 * VGG-style CNN of 2306.08125's CIFAR-10 experiments (docs/papers.md §A.2, the authors' `vgg11_wide`):
 * 3×3 convolutions with zero padding 1, no bias, no batch norm, ReLU after each, 2×2/stride-2 max
 * pools where the plan says "M", then one bias-free linear classifier on the flattened features.
 * The authors' AdaptiveAvgPool2d((1, 1)) is the identity once the pools have reduced the map to
 * 1×1 (32×32 inputs and five pools), so inputs must reduce to exactly 1×1 here.
 *
 * Weights are stored as PyTorch does: conv W_l (out, in, 3, 3) row-major, so row f of the matrix
 * view out × (in·9) is filter f (a "column" for filter pruning); the classifier is (classes, in).
 */
import { normalPair, philox4x32_10, unitFloat } from "../rng/philox.ts";
import { INIT_STREAM_BASE, type LayerShape } from "./fcn.ts";

/** A conv layer's output channels, or "M" for a 2×2 max pool after the previous conv. */
export type VggPlanEntry = number | "M";

export interface VggSpec {
  kind: "vgg";
  /** Per-example layout (C, H, W) of the input. */
  inputShape: readonly [number, number, number];
  plan: readonly VggPlanEntry[];
  numClasses: number;
}

/** Kernel size and padding of every conv layer. */
export const VGG_KERNEL = 3;
export const VGG_PAD = 1;

/**
 * VGG11's plan with first-layer width w: [w, M, 2w, M, 4w, 4w, M, 8w, 8w, M, 8w, 8w, M].
 * w = 64 is VGG11, w = 128 the authors' `vgg11_wide` (config "Awide").
 */
export function vgg11Plan(width: number): VggPlanEntry[] {
  if (!Number.isInteger(width) || width < 1) {
    throw new Error(`vgg11: width ${width} must be a positive integer`);
  }
  const w = width;
  return [w, "M", 2 * w, "M", 4 * w, 4 * w, "M", 8 * w, 8 * w, "M", 8 * w, 8 * w, "M"];
}

/** Weight layers of VGG11 (8 convolutions + the classifier): the config's `depth` for "vgg11". */
export const VGG11_DEPTH = 9;

/** One conv layer: input channels, output channels, its (input = output) spatial size, pooling. */
export interface ConvGeometry {
  cin: number;
  cout: number;
  h: number;
  w: number;
  /** A 2×2 max pool follows the ReLU. */
  pool: boolean;
}

export interface VggGeometry {
  convs: ConvGeometry[];
  /** Length of the flattened feature vector the classifier reads (channels of the last conv). */
  features: number;
}

/** Layer-by-layer geometry; throws a message naming the problem for an unusable spec. */
export function vggGeometry(spec: VggSpec): VggGeometry {
  let [c, h, w] = spec.inputShape;
  for (const [name, v] of [["channels", c], ["height", h], ["width", w]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`vgg: input ${name} ${v} must be ≥ 1`);
  }
  if (!Number.isInteger(spec.numClasses) || spec.numClasses < 2) {
    throw new Error(`vgg: numClasses ${spec.numClasses} must be ≥ 2`);
  }
  const convs: ConvGeometry[] = [];
  for (const [i, entry] of spec.plan.entries()) {
    if (entry === "M") {
      const last = convs[convs.length - 1];
      if (!last || last.pool) {
        throw new Error(`vgg: plan[${i}] "M" must follow a convolution (no leading or double M)`);
      }
      if (h < 2 || w < 2) {
        throw new Error(
          `vgg: plan[${i}] pools a ${h}×${w} map: a ${spec.inputShape.join("×")} input is too ` +
            `small for the plan's pools (VGG11's five pools need 32×32 inputs)`,
        );
      }
      last.pool = true;
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    } else {
      if (!Number.isInteger(entry) || entry < 1) {
        throw new Error(`vgg: plan[${i}] = ${entry} must be a channel count ≥ 1 or "M"`);
      }
      convs.push({ cin: c, cout: entry, h, w, pool: false });
      c = entry;
    }
  }
  if (convs.length === 0) throw new Error("vgg: the plan has no convolution");
  if (h !== 1 || w !== 1) {
    throw new Error(
      `vgg: a ${spec.inputShape.join("×")} input leaves ${h}×${w} maps after the pools; the ` +
        `classifier expects 1×1 (VGG11's five pools need 32×32 inputs)`,
    );
  }
  return { convs, features: c };
}

/** Matrix views of the weights: conv (out, in·9), then the classifier (classes, features). */
export function vggShapes(spec: VggSpec): LayerShape[] {
  const g = vggGeometry(spec);
  return [
    ...g.convs.map((l) => ({ out: l.cout, in: l.cin * VGG_KERNEL * VGG_KERNEL })),
    { out: spec.numClasses, in: g.features },
  ];
}

/**
 * Initial weights: conv N(0, 2/(9·out)) (He normal, fan-out mode, as the authors' vgg.py), the
 * classifier PyTorch's default U(±1/√fan_in). Philox keyed by (seed, INIT_STREAM_BASE + l),
 * counter = ⌊element/4⌋ with its four words giving four values (Box–Muller pairs for normals).
 */
export function initVggWeights(spec: VggSpec, seed: number): Float32Array[] {
  const shapes = vggShapes(spec);
  return shapes.map(({ out, in: fanIn }, l) => {
    const isConv = l < shapes.length - 1;
    const std = Math.sqrt(2 / (VGG_KERNEL * VGG_KERNEL * out));
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(out * fanIn);
    const key: [number, number] = [seed >>> 0, INIT_STREAM_BASE + l];
    for (let i = 0; i < w.length; i += 4) {
      const words = philox4x32_10([i >>> 2, 0, 0, 0], key);
      const values = isConv
        ? [...normalPair(words[0], words[1]), ...normalPair(words[2], words[3])].map((z) => z * std)
        : words.map((u) => (2 * unitFloat(u) - 1) * bound);
      for (let j = 0; j < 4 && i + j < w.length; j++) w[i + j] = values[j];
    }
    return w;
  });
}
