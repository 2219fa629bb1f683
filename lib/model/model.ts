/**
 * The two architectures behind one interface: the bias-free ReLU FCN (fcn.ts) and the VGG CNN
 * (vgg.ts). Every weight is seen as a matrix out × in whose rows are the units of 2306.08125's
 * column view (hidden units of an FCN layer, filters of a conv layer), which is what noise
 * injection and column pruning act on.
 */
import type { NoiseType } from "../noise/spec.ts";
import { type FcnSpec, initWeights, type LayerShape, layerShapes } from "./fcn.ts";
import { initVggWeights, VGG_KERNEL, vggShapes, type VggSpec } from "./vgg.ts";

export type ModelSpec = FcnSpec | VggSpec;

export function isVgg(spec: ModelSpec): spec is VggSpec {
  return (spec as VggSpec).kind === "vgg";
}

/** Length of one flattened input example. */
export function inputDimOf(spec: ModelSpec): number {
  if (!isVgg(spec)) return spec.inputDim;
  const [c, h, w] = spec.inputShape;
  return c * h * w;
}

export function modelShapes(spec: ModelSpec): LayerShape[] {
  return isVgg(spec) ? vggShapes(spec) : layerShapes(spec);
}

export function initModel(spec: ModelSpec, seed: number): Float32Array[] {
  return isVgg(spec) ? initVggWeights(spec, seed) : initWeights(spec, seed);
}

export function parameterCountOf(spec: ModelSpec): number {
  return modelShapes(spec).reduce((s, l) => s + l.out * l.in, 0);
}

/** A weight that gets noise after each step, and the rows × cols view the noise is drawn on. */
export interface NoiseTarget {
  layer: number;
  rows: number;
  cols: number;
}

/**
 * Where the noise goes (docs/papers.md §A.4–A.5): never on the output layer. FCN: every other
 * layer, one row per hidden unit. VGG: every conv layer but the first; Types I and II see a
 * filter as a row (Type I: one scalar per filter, the authors' `--iterate_noise_filter`), Type
 * III draws one sub-Gaussian vector per 3×3 kernel (rows = out·in, cols = 9), as their code does.
 */
export function noiseTargets(spec: ModelSpec, type: NoiseType): NoiseTarget[] {
  if (type === 0) return [];
  const shapes = modelShapes(spec);
  const vgg = isVgg(spec);
  const k = VGG_KERNEL * VGG_KERNEL;
  const targets: NoiseTarget[] = [];
  for (let l = vgg ? 1 : 0; l < shapes.length - 1; l++) {
    const s = shapes[l];
    targets.push(
      vgg && type === 3
        ? { layer: l, rows: s.out * (s.in / k), cols: k }
        : { layer: l, rows: s.out, cols: s.in },
    );
  }
  return targets;
}

/**
 * Layers that column pruning acts on (docs/papers.md §A.6): never the output layer; for the VGG
 * also not the first conv (the authors skip it; their ratio then counts its 3·9·width weights as
 * pruned, a ≈0.01% quirk we do not copy: excluded layers are outside the ratio entirely).
 */
export function prunableLayers(spec: ModelSpec): boolean[] {
  const n = modelShapes(spec).length;
  return Array.from({ length: n }, (_, l) => l < n - 1 && !(isVgg(spec) && l === 0));
}
