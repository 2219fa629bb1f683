/**
 * Bias-free ReLU fully connected network, as in both papers' code: `depth` linear layers
 * (depth 2 = one hidden layer), no biases, ReLU between layers, none after the last.
 * Weights are stored as PyTorch does, W_l of shape (out, in) row-major, so row i of a hidden
 * layer is hidden unit i's incoming weight vector (a "column" θ_i in the paper's notation).
 */
import { philox4x32_10, unitFloat } from "../rng/philox.ts";

export interface FcnSpec {
  inputDim: number;
  width: number;
  /** Number of linear layers (hidden layers + 1). */
  depth: number;
  numClasses: number;
}

export interface LayerShape {
  out: number;
  in: number;
}

export function layerShapes(spec: FcnSpec): LayerShape[] {
  if (!Number.isInteger(spec.depth) || spec.depth < 1) {
    throw new Error(`depth must be ≥ 1, got ${spec.depth}`);
  }
  const shapes: LayerShape[] = [];
  let fanIn = spec.inputDim;
  for (let l = 0; l < spec.depth; l++) {
    const out = l === spec.depth - 1 ? spec.numClasses : spec.width;
    shapes.push({ out, in: fanIn });
    fanIn = out;
  }
  return shapes;
}

/** RNG stream of layer l's initial weights (noise streams live elsewhere; see lib/noise). */
export const INIT_STREAM_BASE = 0x1000;

/**
 * PyTorch's default nn.Linear init, kaiming_uniform(a=√5), which is U(−1/√fan_in, 1/√fan_in).
 * Drawn from Philox keyed by (seed, INIT_STREAM_BASE + l), counter = element index, so the
 * initial weights are identical on every adapter. (Not PyTorch's bit stream, only its law.)
 */
export function initWeights(spec: FcnSpec, seed: number): Float32Array[] {
  return layerShapes(spec).map(({ out, in: fanIn }, l) => {
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(out * fanIn);
    const key: [number, number] = [seed >>> 0, INIT_STREAM_BASE + l];
    for (let i = 0; i < w.length; i += 4) {
      const words = philox4x32_10([i >>> 2, 0, 0, 0], key);
      for (let j = 0; j < 4 && i + j < w.length; j++) {
        w[i + j] = (2 * unitFloat(words[j]) - 1) * bound;
      }
    }
    return w;
  });
}
