/**
 * CPU reference of `injectNoise` (lib/noise/inject.ts): the same Philox words, the same formulas
 * (stable.ts) in f64, rounded to f32 where the GPU stores. For tests and small host-side use.
 */
import { philox4x32_10 } from "../rng/philox.ts";
import { type InjectOptions, NoisePurpose, noiseStream, resolveInjection } from "../noise/spec.ts";
import { normalFromWords, positiveHalfFromWords, sasFromWords } from "./stable.ts";

/** Adds the noise of (spec, lr, seed, layer, step) to `w` (rows×cols, row-major) in place. */
export function injectNoiseRef(
  w: Float32Array,
  rows: number,
  cols: number,
  opts: InjectOptions,
): void {
  const { spec, scale, rowScale } = resolveInjection(rows, cols, opts);
  if (w.length !== rows * cols) {
    throw new Error(`w: array of ${w.length} elements is not rows·cols = ${rows}·${cols}`);
  }
  if (spec.type === 0 || spec.sigma === 0) return;
  const seed = opts.seed >>> 0;
  const rowKey: [number, number] = [seed, noiseStream(opts.layer, NoisePurpose.row)];
  const elemKey: [number, number] = [seed, noiseStream(opts.layer, NoisePurpose.element)];
  const s32 = Math.fround(scale);
  const words = (key: [number, number], i: number) => philox4x32_10([i, opts.step, 0, 0], key);
  if (spec.type === 2) {
    for (let i = 0; i < w.length; i++) {
      const r = words(elemKey, i);
      w[i] = w[i] + s32 * sasFromWords(spec.alpha, r);
    }
    return;
  }
  for (let row = 0; row < rows; row++) {
    const r = words(rowKey, row);
    const factor = spec.type === 1
      ? Math.fround(Math.fround(rowScale) * sasFromWords(spec.alpha, r))
      : Math.fround(s32 * Math.sqrt(positiveHalfFromWords(spec.alpha, r)));
    for (let c = 0; c < cols; c++) {
      const i = row * cols + c;
      if (spec.type === 1) {
        w[i] = w[i] + factor;
      } else {
        const g = words(elemKey, i);
        w[i] = w[i] + factor * normalFromWords(g);
      }
    }
  }
}
