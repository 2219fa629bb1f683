/**
 * One SGD step of the bias-free ReLU FCN on the CPU, composed from the op references in
 * lib/reference/ops.ts: the reference the GPU training step is tested against.
 */
import { gemmRef, reluBackwardRef, reluRef, sgdStepRef, softmaxCrossEntropyRef } from "./ops.ts";
import type { LayerShape } from "../model/fcn.ts";

/** Updates `weights` in place with one step on (x, y); returns the mean loss before the step. */
export function sgdStepReference(
  weights: Float32Array[],
  shapes: LayerShape[],
  x: Float32Array,
  y: Uint32Array,
  rows: number,
  lr: number,
): number {
  const acts: Float32Array[] = [];
  let input = x;
  shapes.forEach((s, l) => {
    const a = new Float32Array(rows * s.out);
    gemmRef("nt", input, weights[l], a, rows, s.out, s.in);
    if (l < shapes.length - 1) reluRef(a, a.length);
    acts.push(a);
    input = a;
  });
  const last = shapes.length - 1;
  const dLogits = new Float32Array(rows * shapes[last].out);
  const stats = new Float32Array(2 * rows);
  softmaxCrossEntropyRef(acts[last], y, dLogits, stats, rows, shapes[last].out, {
    gradScale: 1 / rows,
  });
  const grads: Float32Array[] = new Array(shapes.length);
  let delta = dLogits;
  for (let l = last; l >= 0; l--) {
    const s = shapes[l];
    const inp = l === 0 ? x : acts[l - 1];
    grads[l] = new Float32Array(s.out * s.in);
    gemmRef("tn", delta, inp, grads[l], s.out, s.in, rows);
    if (l > 0) {
      const prev = new Float32Array(rows * s.in);
      gemmRef("nn", delta, weights[l], prev, rows, s.in, s.out);
      reluBackwardRef(prev, acts[l - 1], prev.length);
      delta = prev;
    }
  }
  shapes.forEach((s, l) => sgdStepRef(weights[l], grads[l], lr, s.out * s.in));
  let loss = 0;
  for (let r = 0; r < rows; r++) loss += stats[2 * r];
  return loss / rows;
}
