/**
 * The training loop of 2306.08125 (docs/papers.md §A.3), on the GPU. For step i = 0, 1, …:
 *   1. minibatch i (epoch-wise Philox shuffles), forward, cross-entropy, backward, SGD step;
 *   2. if i % evalEvery == 0: evaluate the full train and test sets (post-step, pre-noise);
 *      a NaN loss stops the run with a DivergedError; train accuracy ≥ convergenceAccuracy
 *      stops it as converged, so the converging step gets no noise;
 *   3. otherwise add noise s·X (s = σ·lr^{1/α}) to every layer but the output layer (for the
 *      VGG, also not to the first conv: lib/model/model.ts `noiseTargets`).
 * The run stops after `maxSteps` steps at the latest. Only scalars are read back, at evaluations.
 *
 * With `stopRule: "loss"` (2106.03795, docs/papers.md §B.2) the first evaluation with train loss
 * < lossThreshold and 100% train accuracy marks convergence at step i₀; training goes on until
 * step i₀ + extraSteps, and with `averageSteps` = m the running mean of the post-step iterates of
 * the last m+1 steps (the "x_mc" averaged iterate) is kept on the GPU and evaluated at the end.
 * If the cap comes first, the last m+1 iterates are averaged.
 *
 * Everything random is keyed by (seed, stream, step), so a run resumed from a checkpoint
 * reproduces the uninterrupted run bit for bit.
 */
import { formatDuration } from "./progress.ts";
import type { Gpu, Tensor } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import { initModel, inputDimOf, noiseTargets } from "../model/model.ts";
import { runningMean } from "../ops/nn.ts";
import type { TrainConfig } from "./config.ts";
import { DeviceSplit, epochPermutation } from "../model/device_split.ts";
import { type EvalResult, evaluate } from "../model/evaluate.ts";
import type { GpuNetwork } from "../model/gpu_network.ts";
import { modelSpecFor } from "./model_for.ts";
import { netOnGpu } from "../model/on_gpu.ts";
import type { EvalPoint } from "./metrics.ts";

export interface TrainState {
  /** The next step to run. */
  step: number;
  history: EvalPoint[];
  /** Step of first convergence under the "loss" rule. */
  convergedAt?: number;
  /** Iterates in the running mean so far (0: averaging not started). */
  averaged?: number;
}

export type StopReason = "converged" | "max-steps";

export interface TrainResult {
  steps: number;
  stopReason: StopReason;
  history: EvalPoint[];
  final: EvalPoint;
  weights: Float32Array[];
  convergedAt?: number;
  /** The averaged iterate, when `averageSteps` was set. */
  averaged?: { iterates: number; weights: Float32Array[]; train: EvalResult; test: EvalResult };
}

export class DivergedError extends Error {
  constructor(readonly step: number, loss: number) {
    super(
      `training diverged at step ${step}: loss is ${loss}; lower the learning rate or the noise scale`,
    );
    this.name = "DivergedError";
  }
}

export interface CheckpointTensors {
  weights: Float32Array[];
  /** Running mean of the iterates, once averaging has started. */
  averaged?: Float32Array[];
}

export interface Checkpointer {
  every: number;
  load(): Promise<{ state: TrainState } & CheckpointTensors | undefined>;
  save(state: TrainState, tensors: CheckpointTensors): Promise<void>;
}

/** First step whose post-step iterate enters the running mean. */
function averageStart(config: TrainConfig, convergedAt: number | undefined): number {
  const m = config.averageSteps ?? 0;
  const capStart = config.maxSteps - 1 - m;
  if (convergedAt === undefined) return capStart;
  return Math.min(capStart, Math.max(convergedAt, convergedAt + (config.extraSteps ?? 0) - m));
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

export async function train(
  gpu: Gpu,
  config: TrainConfig,
  data: Dataset,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  const log = opts.log ?? (() => {});
  const spec = modelSpecFor(config, data);
  const maxRows = Math.min(config.batchSize, Math.max(data.train.n, data.test.n));
  const rowsPerStep = Math.min(config.batchSize, data.train.n);
  const resumed = await opts.checkpoint?.load();
  const net = netOnGpu(gpu, spec, resumed?.weights ?? initModel(spec, config.seed), maxRows);
  const trainSplit = new DeviceSplit(gpu, data.train, inputDimOf(spec), maxRows);
  const testSplit = new DeviceSplit(gpu, data.test, inputDimOf(spec), maxRows);
  const noisy = noiseTargets(spec, config.noise.type);
  const state: TrainState = resumed?.state ?? { step: 0, history: [] };
  const averaging = (config.averageSteps ?? 0) > 0;
  const avg = averaging
    ? net.shapes.map((sh, l) => {
      const t = gpu.tensor([sh.out, sh.in], "f32", `avg W${l}`);
      if (resumed?.averaged) t.write(resumed.averaged[l]);
      return t;
    })
    : [];
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
      if (averaging && i >= averageStart(config, state.convergedAt)) {
        // x_mc ← x_mc + (x − x_mc)/n over post-step iterates (n = 1 copies x).
        state.averaged = (state.averaged ?? 0) + 1;
        net.weights.forEach((w, l) =>
          runningMean(gpu, batch, avg[l], w, 1 / state.averaged!, w.size)
        );
      }
      const isEval = i % config.evalEvery === 0 || i === config.maxSteps - 1;
      let stop = i === config.maxSteps - 1;
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
            `test acc ${point.testAcc.toFixed(2)}% | ${rate.toFixed(1)} steps/s | ≤ ${
              formatDuration((config.maxSteps - 1 - i) / rate)
            } left to max-steps ${config.maxSteps}`,
        );
        if (!Number.isFinite(point.trainLoss) || !Number.isFinite(point.testLoss)) {
          throw new DivergedError(i, point.trainLoss);
        }
        if (config.stopRule === "loss") {
          const lossOk = point.trainLoss < (config.lossThreshold ?? 5e-5) && point.trainAcc >= 100;
          if (state.convergedAt === undefined && lossOk) {
            state.convergedAt = i;
            log(`converged at step ${i}; ${config.extraSteps ?? 0} more steps`);
          }
        } else {
          converged = point.trainAcc >= config.convergenceAccuracy;
        }
      }
      if (state.convergedAt !== undefined && i - state.convergedAt >= (config.extraSteps ?? 0)) {
        converged = true;
      }
      stop ||= converged;
      if (stop) {
        batch.submit();
        state.step = i + 1;
        const weights = await net.readWeights();
        let averaged: TrainResult["averaged"];
        if (averaging && state.averaged) {
          const avgWeights: Float32Array[] = [];
          for (const t of avg) avgWeights.push(await t.read());
          net.setWeights(avgWeights);
          averaged = {
            iterates: state.averaged,
            weights: avgWeights,
            train: await evaluate(gpu, net, trainSplit),
            test: await evaluate(gpu, net, testSplit),
          };
        }
        let final = state.history[state.history.length - 1];
        if (final.step !== i) {
          net.setWeights(weights);
          const [tr, te] = [
            await evaluate(gpu, net, trainSplit),
            await evaluate(gpu, net, testSplit),
          ];
          const [lossSum] = await stepStats.read();
          final = {
            step: i,
            trainLoss: tr.loss,
            trainAcc: tr.accuracy,
            testLoss: te.loss,
            testAcc: te.accuracy,
            batchLoss: lossSum / rows,
          };
          state.history.push(final);
        }
        return {
          steps: i + 1,
          stopReason: converged ? "converged" : "max-steps",
          history: state.history,
          final,
          weights,
          convergedAt: state.convergedAt,
          averaged,
        };
      }
      net.addNoise(batch, noisy, { spec: config.noise, lr: config.lr, seed: config.seed, step: i });
      batch.submit();
      state.step = i + 1;
      stepsThisCall++;
      if (opts.checkpoint && state.step % opts.checkpoint.every === 0) {
        const averaged: Float32Array[] = [];
        if (state.averaged) { for (const t of avg) averaged.push(await t.read()); }
        await opts.checkpoint.save(state, {
          weights: await net.readWeights(),
          averaged: state.averaged ? averaged : undefined,
        });
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
    for (const t of avg) t.destroy();
  }
}

async function evalPoint(
  gpu: Gpu,
  net: GpuNetwork,
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
