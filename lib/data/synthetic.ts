/**
 * SYNTHETIC data for smoke tests: Gaussian blobs, one per class. Not real data; never report
 * results on it as if it were.
 *
 * Deterministic from `seed`: every random number is a pure function of (seed, stream, counter)
 * through the integer hash `lowbias32` (Chris Wellons' 32-bit finaliser:
 * x ^= x>>>16; x *= 0x7feb352d; x ^= x>>>15; x *= 0x846ca68b; x ^= x>>>16, all mod 2^32).
 * bits(seed, stream, k) = h(h(h(seed) ^ stream) ^ k); uniform u = (bits + 0.5) / 2^32;
 * standard normal #k of a stream = Box–Muller on uniforms 2k and 2k+1.
 * Streams: 0 = class means (separation·N(0, 1) per coordinate), 1 = train noise, 2 = test noise.
 * Example i has label i mod numClasses and x = mean[label] + noise·N(0, I).
 */

import type { Dataset, Split } from "./dataset.ts";

export function lowbias32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function uniform(seed: number, stream: number, k: number): number {
  const bits = lowbias32((lowbias32((lowbias32(seed >>> 0) ^ stream) >>> 0) ^ k) >>> 0);
  return (bits + 0.5) / 4294967296;
}

/** The k-th standard normal of a stream (k < 2^31). */
export function hashNormal(seed: number, stream: number, k: number): number {
  const u1 = uniform(seed, stream, 2 * k);
  const u2 = uniform(seed, stream, 2 * k + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export interface SyntheticOptions {
  seed?: number;
  numClasses?: number;
  inputDim?: number;
  nTrain?: number;
  nTest?: number;
  /** Scale of the class means (per-coordinate std). */
  separation?: number;
  /** Std of the noise around each mean. */
  noise?: number;
}

export function syntheticDataset(opts: SyntheticOptions = {}): Dataset {
  const {
    seed = 1,
    numClasses = 10,
    inputDim = 32,
    nTrain = 1000,
    nTest = 200,
    separation = 1,
    noise = 1,
  } = opts;
  for (const [key, v] of Object.entries({ numClasses, inputDim, nTrain, nTest })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${key} must be a positive integer`);
  }
  if (numClasses > 256) throw new RangeError("numClasses must be ≤ 256 (labels are u8)");
  if (Math.max(nTrain, nTest, numClasses) * inputDim >= 2 ** 31) {
    throw new RangeError("n·inputDim must be < 2^31");
  }
  const means = new Float64Array(numClasses * inputDim);
  for (let k = 0; k < means.length; k++) means[k] = separation * hashNormal(seed, 0, k);

  const split = (n: number, stream: number): Split => {
    const x = new Float32Array(n * inputDim);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const label = i % numClasses;
      y[i] = label;
      for (let j = 0; j < inputDim; j++) {
        const k = i * inputDim + j;
        x[k] = means[label * inputDim + j] + noise * hashNormal(seed, stream, k);
      }
    }
    return { x, y, n };
  };
  return {
    name: "synthetic-blobs",
    inputDim,
    numClasses,
    shape: [1, 1, inputDim],
    train: split(nTrain, 1),
    test: split(nTest, 2),
    source: `SYNTHETIC Gaussian blobs (not real data): seed ${seed}, ${numClasses} classes, ` +
      `dim ${inputDim}, separation ${separation}, noise ${noise}`,
  };
}
