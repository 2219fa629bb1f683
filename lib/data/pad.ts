/** Constant padding of CHW images (e.g. 28×28 MNIST digits to VGG's 32×32). */
import type { Dataset, Split } from "./dataset.ts";

/** Each image of `split` (shape C×H×W) framed by `pad` pixels of `value` on every side. */
export function padSplit(
  split: Split,
  shape: readonly [number, number, number],
  pad: number,
  value: number,
): Split {
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`pad ${pad} must be an integer ≥ 0`);
  const [c, h, w] = shape;
  const [ho, wo] = [h + 2 * pad, w + 2 * pad];
  const inDim = c * h * w;
  const outDim = c * ho * wo;
  const x = new Float32Array(split.n * outDim).fill(value);
  for (let i = 0; i < split.n; i++) {
    for (let ch = 0; ch < c; ch++) {
      for (let r = 0; r < h; r++) {
        const src = i * inDim + (ch * h + r) * w;
        x.set(split.x.subarray(src, src + w), i * outDim + (ch * ho + r + pad) * wo + pad);
      }
    }
  }
  return { x, y: split.y, n: split.n };
}

/** The dataset with every image padded; `value` is the (normalised) fill, e.g. the background. */
export function padDataset(ds: Dataset, pad: number, value: number): Dataset {
  const [c, h, w] = ds.shape;
  const shape: [number, number, number] = [c, h + 2 * pad, w + 2 * pad];
  return {
    ...ds,
    shape,
    inputDim: shape[0] * shape[1] * shape[2],
    train: padSplit(ds.train, ds.shape, pad, value),
    test: padSplit(ds.test, ds.shape, pad, value),
  };
}
