/**
 * One SGD step of the VGG CNN on the CPU, composed from the direct-loop references of
 * lib/reference/conv.ts and lib/reference/ops.ts (no im2col): what the GPU step of
 * lib/model/vgg_gpu.ts is tested against. Same math as the header of lib/model/vgg_gpu.ts.
 */
import {
  conv2dBackwardDataRef,
  conv2dBackwardWeightsRef,
  conv2dForwardRef,
  maxPool2x2BackwardRef,
  maxPool2x2ForwardRef,
} from "./conv.ts";
import type { ConvShape } from "../ops/conv.ts";
import { gemmRef, reluBackwardRef, reluRef, sgdStepRef, softmaxCrossEntropyRef } from "./ops.ts";
import { VGG_KERNEL, VGG_PAD, vggGeometry, type VggSpec } from "../model/vgg.ts";

/** Updates `weights` in place with one step on (x, y); returns the mean loss before the step. */
export function vggStepReference(
  weights: Float32Array[],
  spec: VggSpec,
  x: Float32Array,
  y: Uint32Array,
  rows: number,
  lr: number,
): number {
  const { convs, features } = vggGeometry(spec);
  const shapes: ConvShape[] = convs.map((c) => ({
    n: rows,
    c: c.cin,
    h: c.h,
    w: c.w,
    cout: c.cout,
    kh: VGG_KERNEL,
    kw: VGG_KERNEL,
    pad: VGG_PAD,
  }));
  const relus: Float32Array[] = [];
  const argmaxes: (Uint32Array | undefined)[] = [];
  const outputs: Float32Array[] = [];
  let input = x;
  convs.forEach((c, l) => {
    const r = conv2dForwardRef(input, weights[l], shapes[l]);
    reluRef(r, r.length);
    relus.push(r);
    if (c.pool) {
      const { y: pooled, argmax } = maxPool2x2ForwardRef(r, {
        planes: rows * c.cout,
        h: c.h,
        w: c.w,
      });
      argmaxes.push(argmax);
      outputs.push(pooled);
    } else {
      argmaxes.push(undefined);
      outputs.push(r);
    }
    input = outputs[l];
  });
  const fc = convs.length;
  const classes = spec.numClasses;
  const logits = new Float32Array(rows * classes);
  gemmRef("nt", input, weights[fc], logits, rows, classes, features);
  const dLogits = new Float32Array(rows * classes);
  const stats = new Float32Array(2 * rows);
  softmaxCrossEntropyRef(logits, y, dLogits, stats, rows, classes, { gradScale: 1 / rows });
  const grads: Float32Array[] = new Array(fc + 1);
  grads[fc] = new Float32Array(classes * features);
  gemmRef("tn", dLogits, input, grads[fc], classes, features, rows);
  let delta: Float32Array = new Float32Array(rows * features);
  gemmRef("nn", dLogits, weights[fc], delta, rows, features, classes);
  for (let l = fc - 1; l >= 0; l--) {
    const c = convs[l];
    const dr = c.pool
      ? maxPool2x2BackwardRef(delta, argmaxes[l]!, { planes: rows * c.cout, h: c.h, w: c.w })
      : delta;
    reluBackwardRef(dr, relus[l], dr.length);
    grads[l] = conv2dBackwardWeightsRef(l === 0 ? x : outputs[l - 1], dr, shapes[l]);
    if (l > 0) delta = conv2dBackwardDataRef(dr, weights[l], shapes[l]);
  }
  grads.forEach((g, l) => sgdStepRef(weights[l], g, lr, g.length));
  let loss = 0;
  for (let r = 0; r < rows; r++) loss += stats[2 * r];
  return loss / rows;
}
