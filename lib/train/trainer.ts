/**
 * The training loop of 2306.08125 (papers file §2.4), on the GPU. For step i = 0, 1, …:
 *   1. minibatch i (epoch-wise Philox shuffles), forward, cross-entropy, backward, SGD step;
 *   2. if i % evalEvery == 0: evaluate the full train and test sets (post-step, pre-noise);
 *      a NaN loss stops the run with a DivergedError; train accuracy ≥ convergenceAccuracy
 *      stops it as converged, so the converging step gets no noise;
 *   3. otherwise add noise s·X (s = σ·lr^{1/α}) to every layer but the output layer.
 * The run stops after `maxSteps` steps at the latest. Only scalars are read back, at evaluations.
 *
 * Everything random is keyed by (seed, stream, step), so a run resumed from a checkpoint
 * reproduces the uninterrupted run bit for bit.
 */
import type { Gpu, Tensor } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import { type FcnSpec, initWeights } from "../model/fcn.ts";
import { injectNoise } from "../noise/inject.ts";
import type { TrainConfig } from "./config.ts";
import { DeviceSplit, epochPermutation } from "./device_data.ts";
import { evaluate } from "./evaluate.ts";
import { FcnOnGpu } from "./network.ts";

export interface EvalPoint {
  step: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  /** Mean loss of this step's minibatch (before the step's update). */
  batchLoss: number;
}

export interface TrainState {
  /** The next step to run. */
  step: number;
  history: EvalPoint[];
}

export type StopReason = "converged" | "max-steps";

export interface TrainResult {
  steps: number;
  stopReason: StopReason;
  history: EvalPoint[];
  final: EvalPoint;
  weights: Float32Array[];
}

export class DivergedError extends Error {
  constructor(readonly step: number, loss: number) {
    super(
      `training diverged at step ${step}: loss is ${loss}; lower the learning rate or the noise scale`,
    );
    this.name = "DivergedError";
  }
}

export interface Checkpointer {
  every: number;
  load(): Promise<{ state: TrainState; weights: Float32Array[] } | undefined>;
  save(state: TrainState, weights: Float32Array[]): Promise<void>;
}

export interface TrainOptions {
  checkpoint?: Checkpointer;
  log?: (line: string) => void;
  /** Stop (as if killed) after this many steps of this call; for crash tests. */
  haltAfter?: number;
}

export class HaltedError extends Error {
  constructor(step: number) {
    super(`halted at step ${step}`);
    this.name = "HaltedError";
  }
}

export function fcnSpecFor(config: TrainConfig, data: Dataset): FcnSpec {
  return {
    inputDim: data.inputDim,
    width: config.width,
    depth: config.depth,
    numClasses: data.numClasses,
  };
}

export async function train(
  gpu: Gpu,
  config: TrainConfig,
  data: Dataset,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  const log = opts.log ?? (() => {});
  const spec = fcnSpecFor(config, data);
  const maxRows = Math.min(config.batchSize, Math.max(data.train.n, data.test.n));
  const rowsPerStep = Math.min(config.batchSize, data.train.n);
  const resumed = await opts.checkpoint?.load();
  const net = new FcnOnGpu(gpu, spec, resumed?.weights ?? initWeights(spec, config.seed), maxRows);
  const trainSplit = new DeviceSplit(gpu, data.train, spec.inputDim, maxRows);
  const testSplit = new DeviceSplit(gpu, data.test, spec.inputDim, maxRows);
  const state: TrainState = resumed?.state ?? { step: 0, history: [] };
  const stepStats = gpu.tensor([2], "f32", "step stats");
  const batchesPerEpoch = Math.ceil(data.train.n / rowsPerStep);
  let permEpoch = -1;
  let perm: Uint32Array = new Uint32Array(0);
  let stepsThisCall = 0;
  const started = performance.now();
  try {
    if (resumed) log(`resumed from checkpoint at step ${state.step}`);
    for (let i = state.step; i < config.maxSteps; i++) {
      const epoch = Math.floor(i / batchesPerEpoch);
      if (epoch !== permEpoch) {
        perm = epochPermutation(data.train.n, config.seed, epoch);
        permEpoch = epoch;
      }
      const j = i % batchesPerEpoch;
      const ids = perm.subarray(j * rowsPerStep, Math.min(data.train.n, (j + 1) * rowsPerStep));
      const rows = ids.length;
      const batch = gpu.batch();
      trainSplit.gather(batch, ids, net.x, net.y);
      net.forward(batch, rows);
      net.loss(batch, rows, true, stepStats, 0);
      net.backward(batch, rows);
      net.sgd(batch, config.lr);
      const isEval = i % config.evalEvery === 0 || i === config.maxSteps - 1;
      let converged = false;
      if (isEval) {
        batch.submit();
        const point = await evalPoint(gpu, net, trainSplit, testSplit, stepStats, i, rows);
        state.history.push(point);
        const rate = (stepsThisCall + 1) / ((performance.now() - started) / 1000);
        log(
          `step ${i}: train acc ${point.trainAcc.toFixed(2)}% loss ${
            point.trainLoss.toFixed(4)
          } | ` +
            `test acc ${point.testAcc.toFixed(2)}% | ${rate.toFixed(1)} steps/s`,
        );
        if (!Number.isFinite(point.trainLoss) || !Number.isFinite(point.testLoss)) {
          throw new DivergedError(i, point.trainLoss);
        }
        converged = point.trainAcc >= config.convergenceAccuracy;
      }
      if (converged || i === config.maxSteps - 1) {
        state.step = i + 1;
        const weights = await net.readWeights();
        return {
          steps: i + 1,
          stopReason: converged ? "converged" : "max-steps",
          history: state.history,
          final: state.history[state.history.length - 1],
          weights,
        };
      }
      if (config.noise.type !== 0) {
        for (let l = 0; l < net.depth - 1; l++) {
          const s = net.shapes[l];
          injectNoise(gpu, batch, net.weights[l], s.out, s.in, {
            spec: config.noise,
            lr: config.lr,
            seed: config.seed,
            layer: l,
            step: i,
          });
        }
      }
      batch.submit();
      state.step = i + 1;
      stepsThisCall++;
      if (opts.checkpoint && state.step % opts.checkpoint.every === 0) {
        await opts.checkpoint.save(state, await net.readWeights());
      }
      if (opts.haltAfter !== undefined && stepsThisCall >= opts.haltAfter) {
        throw new HaltedError(state.step);
      }
    }
    throw new Error("unreachable: the loop returns at its last step");
  } finally {
    net.destroy();
    trainSplit.destroy();
    testSplit.destroy();
    stepStats.destroy();
  }
}

async function evalPoint(
  gpu: Gpu,
  net: FcnOnGpu,
  trainSplit: DeviceSplit,
  testSplit: DeviceSplit,
  stepStats: Tensor,
  step: number,
  rows: number,
): Promise<EvalPoint> {
  const [lossSum] = await stepStats.read();
  const tr = await evaluate(gpu, net, trainSplit);
  const te = await evaluate(gpu, net, testSplit);
  return {
    step,
    trainLoss: tr.loss,
    trainAcc: tr.accuracy,
    testLoss: te.loss,
    testAcc: te.accuracy,
    batchLoss: lossSum / rows,
  };
}
