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
import type { Batch, Gpu, Tensor } from "../gpu/runtime.ts";
import { type Dataset, requireNonEmptySplits } from "../data/dataset.ts";
import {
  initModel,
  inputDimOf,
  type ModelSpec,
  type NoiseTarget,
  noiseTargets,
} from "../model/model.ts";
import { runningMean } from "../ops/nn.ts";
import type { TrainConfig } from "./config.ts";
import { DeviceSplit, epochPermutation } from "../model/device_split.ts";
import {
  evalChunks,
  type EvalResult,
  evalResultOf,
  evaluate,
  submitEvaluation,
} from "../model/evaluate.ts";
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

/** A checkpoint as loaded: the state and tensors to resume from. */
export type Resumed = { state: TrainState } & CheckpointTensors;

export interface Checkpointer {
  every: number;
  load(): Promise<Resumed | undefined>;
  save(state: TrainState, tensors: CheckpointTensors): Promise<void>;
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

/**
 * Trains `config` on `data` (see the module comment), resuming from `opts.checkpoint` when it
 * holds a checkpoint. Each step runs the phases of a TrainingRun in order: minibatch step,
 * averaging, evaluation (when due) and the stop decision, then either the finish or the noise
 * and the end of the step (checkpoint, halt).
 */
export async function train(
  gpu: Gpu,
  config: TrainConfig,
  data: Dataset,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  const run = await TrainingRun.open(gpu, config, data, opts);
  try {
    run.logResume();
    for (let i = run.state.step; i < config.maxSteps; i++) {
      const result = await run.step(i);
      if (result) return result;
    }
    throw new Error("unreachable: the loop returns at its last step");
  } finally {
    run.destroy();
  }
}

/** First step whose post-step iterate enters the running mean. */
function averageStart(config: TrainConfig, convergedAt: number | undefined): number {
  const m = config.averageSteps ?? 0;
  const capStart = config.maxSteps - 1 - m;
  if (convergedAt === undefined) return capStart;
  return Math.min(capStart, Math.max(convergedAt, convergedAt + (config.extraSteps ?? 0) - m));
}

/**
 * The GPU state of one call of `train` and its phases, in the order a step runs them (exported
 * for the step profiler of lib/bench/profile.ts).
 */
export class TrainingRun {
  readonly state: TrainState;
  readonly net: GpuNetwork;
  readonly trainSplit: DeviceSplit;
  readonly testSplit: DeviceSplit;
  readonly noisy: NoiseTarget[];
  /** Running mean of the post-step iterates, per layer (empty without averaging). */
  readonly avg: Tensor[];
  /** Loss sum of the last minibatch (written by `sgdStep`, read at evaluations). */
  readonly stepStats: Tensor;
  #permEpoch = -1;
  #perm: Uint32Array = new Uint32Array(0);
  #stepsThisCall = 0;
  readonly #started: number;

  /** Set-up: the network (initialised, or the checkpoint's weights), data and running mean. */
  static async open(
    gpu: Gpu,
    config: TrainConfig,
    data: Dataset,
    opts: TrainOptions,
  ): Promise<TrainingRun> {
    requireNonEmptySplits(data); // whatever built `data`: an empty split is never trained on
    const spec = modelSpecFor(config, data);
    return new TrainingRun(gpu, config, data, opts, spec, await opts.checkpoint?.load());
  }

  private constructor(
    readonly gpu: Gpu,
    readonly config: TrainConfig,
    readonly data: Dataset,
    readonly opts: TrainOptions,
    spec: ModelSpec,
    readonly resumed: Resumed | undefined,
  ) {
    const maxRows = Math.min(config.batchSize, Math.max(data.train.n, data.test.n));
    const net = netOnGpu(gpu, spec, resumed?.weights ?? initModel(spec, config.seed), maxRows);
    this.net = net;
    this.trainSplit = new DeviceSplit(gpu, data.train, inputDimOf(spec), maxRows);
    this.testSplit = new DeviceSplit(gpu, data.test, inputDimOf(spec), maxRows);
    this.noisy = noiseTargets(spec, config.noise.type);
    this.state = resumed?.state ?? { step: 0, history: [] };
    this.avg = this.#averaging
      ? net.shapes.map((sh, l) => {
        const t = gpu.tensor([sh.out, sh.in], "f32", `avg W${l}`);
        if (resumed?.averaged) t.write(resumed.averaged[l]);
        return t;
      })
      : [];
    this.stepStats = gpu.tensor([2], "f32", "step stats");
    this.#started = performance.now();
  }

  get #log(): (line: string) => void {
    return this.opts.log ?? (() => {});
  }

  get #averaging(): boolean {
    return (this.config.averageSteps ?? 0) > 0;
  }

  /** Runs step i; returns the result when the run stops at step i. */
  async step(i: number): Promise<TrainResult | undefined> {
    const batch = this.gpu.batch();
    const rows = this.sgdStep(batch, i);
    this.accumulateAverage(batch, i);
    const converged = await this.evaluateAndDecide(batch, i, rows);
    if (converged || i === this.config.maxSteps - 1) {
      return await this.finish(batch, i, rows, converged);
    }
    this.addNoise(batch, i);
    batch.submit();
    await this.endStep(i);
  }

  logResume(): void {
    if (this.resumed) this.#log(`resumed from checkpoint at step ${this.state.step}`);
  }

  /** The example indices of step i's minibatch (epoch-wise Philox shuffles). */
  #minibatch(i: number): Uint32Array {
    const n = this.data.train.n;
    const rowsPerStep = Math.min(this.config.batchSize, n);
    const batchesPerEpoch = Math.ceil(n / rowsPerStep);
    const epoch = Math.floor(i / batchesPerEpoch);
    if (epoch !== this.#permEpoch) {
      this.#perm = epochPermutation(n, this.config.seed, epoch);
      this.#permEpoch = epoch;
    }
    const j = i % batchesPerEpoch;
    return this.#perm.subarray(j * rowsPerStep, Math.min(n, (j + 1) * rowsPerStep));
  }

  /** Records step i's forward, loss, backward and SGD update; returns the minibatch rows. */
  sgdStep(batch: Batch, i: number): number {
    const ids = this.#minibatch(i);
    const rows = ids.length;
    const net = this.net;
    this.trainSplit.gather(batch, ids, net.x, net.y);
    // The minibatch loss is read only at evaluations (and by a finish after convergence).
    const reduce = this.#evaluates(i) || this.state.convergedAt !== undefined;
    net.forwardLoss(batch, rows, true, reduce ? this.stepStats : null, 0);
    net.backward(batch, rows);
    net.sgd(batch, this.config.lr);
    return rows;
  }

  /** Averaging: adds the post-step iterate of step i to the running mean once it is due. */
  accumulateAverage(batch: Batch, i: number): void {
    if (!this.#averaging || i < averageStart(this.config, this.state.convergedAt)) return;
    // x_mc ← x_mc + (x − x_mc)/n over post-step iterates (n = 1 copies x).
    const n = this.state.averaged = (this.state.averaged ?? 0) + 1;
    this.net.weights.forEach((w, l) => runningMean(this.gpu, batch, this.avg[l], w, 1 / n, w.size));
  }

  /** Whether step i evaluates (every evalEvery steps and at the cap). */
  #evaluates(i: number): boolean {
    return i % this.config.evalEvery === 0 || i === this.config.maxSteps - 1;
  }

  /**
   * Evaluates when step i is due (every evalEvery steps and at the cap) and decides whether the
   * run converged at step i: a non-finite loss is a DivergedError; the "accuracy" rule stops at
   * the evaluation reaching convergenceAccuracy, the "loss" rule extraSteps after its first
   * convergence.
   */
  async evaluateAndDecide(batch: Batch, i: number, rows: number): Promise<boolean> {
    const { config, state } = this;
    let converged = false;
    if (this.#evaluates(i)) {
      batch.submit();
      const point = await this.#evalPoint(i, rows);
      state.history.push(point);
      this.#logEvaluation(point);
      if (!Number.isFinite(point.trainLoss) || !Number.isFinite(point.testLoss)) {
        throw new DivergedError(i, point.trainLoss);
      }
      if (config.stopRule === "loss") {
        const lossOk = point.trainLoss < (config.lossThreshold ?? 5e-5) && point.trainAcc >= 100;
        if (state.convergedAt === undefined && lossOk) {
          state.convergedAt = i;
          this.#log(`converged at step ${i}; ${config.extraSteps ?? 0} more steps`);
        }
      } else {
        converged = point.trainAcc >= config.convergenceAccuracy;
      }
    }
    if (state.convergedAt !== undefined && i - state.convergedAt >= (config.extraSteps ?? 0)) {
      converged = true;
    }
    return converged;
  }

  #logEvaluation(point: EvalPoint): void {
    const i = point.step;
    const maxSteps = this.config.maxSteps;
    const rate = (this.#stepsThisCall + 1) / ((performance.now() - this.#started) / 1000);
    this.#log(
      `step ${i}: train acc ${point.trainAcc.toFixed(2)}% loss ${point.trainLoss.toFixed(4)} | ` +
        `test acc ${point.testAcc.toFixed(2)}% | ${rate.toFixed(1)} steps/s | ≤ ${
          formatDuration((maxSteps - 1 - i) / rate)
        } left to max-steps ${maxSteps}`,
    );
  }

  /**
   * Full train and test evaluation of the current weights, with step's minibatch loss: one
   * read-back of (minibatch loss, train chunk pairs, test chunk pairs).
   */
  async #evalPoint(step: number, rows: number): Promise<EvalPoint> {
    const { gpu, net, trainSplit, testSplit } = this;
    const trainChunks = evalChunks(net, trainSplit);
    const testChunks = evalChunks(net, testSplit);
    const stats = gpu.tensor([2 + 2 * (trainChunks + testChunks)], "f32", "eval point stats");
    let pairs: Float32Array;
    try {
      const copy = gpu.batch();
      copy.copy(this.stepStats, stats, 8);
      copy.submit();
      submitEvaluation(gpu, net, trainSplit, stats, 2);
      submitEvaluation(gpu, net, testSplit, stats, 2 + 2 * trainChunks);
      pairs = await stats.read();
    } finally {
      stats.destroy();
    }
    const lossSum = pairs[0];
    const tr = evalResultOf(pairs, 2, trainChunks, trainSplit.n);
    const te = evalResultOf(pairs, 2 + 2 * trainChunks, testChunks, testSplit.n);
    return {
      step,
      trainLoss: tr.loss,
      trainAcc: tr.accuracy,
      testLoss: te.loss,
      testAcc: te.accuracy,
      batchLoss: lossSum / rows,
    };
  }

  /**
   * Finish at step i: the final weights, the averaged iterate's evaluation and, when step i was
   * not evaluated, a final evaluation.
   */
  async finish(batch: Batch, i: number, rows: number, converged: boolean): Promise<TrainResult> {
    const state = this.state;
    batch.submit();
    state.step = i + 1;
    const weights = await this.net.readWeights();
    const averaged = await this.#evaluateAverage();
    let final = state.history[state.history.length - 1];
    if (final.step !== i) {
      this.net.setWeights(weights);
      final = await this.#evalPoint(i, rows);
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

  /** The averaged iterate and its evaluation (it leaves its weights in the network). */
  async #evaluateAverage(): Promise<TrainResult["averaged"]> {
    if (!this.#averaging || !this.state.averaged) return undefined;
    const weights = await this.#readAverage();
    this.net.setWeights(weights);
    return {
      iterates: this.state.averaged,
      weights,
      train: await evaluate(this.gpu, this.net, this.trainSplit),
      test: await evaluate(this.gpu, this.net, this.testSplit),
    };
  }

  async #readAverage(): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const t of this.avg) out.push(await t.read());
    return out;
  }

  /** Adds step i's noise to the noisy layers. */
  addNoise(batch: Batch, i: number): void {
    const { noise, lr, seed } = this.config;
    this.net.addNoise(batch, this.noisy, { spec: noise, lr, seed, step: i });
  }

  /** Ends a step that did not stop the run: checkpoint when due, halt when asked to. */
  async endStep(i: number): Promise<void> {
    const { state, opts } = this;
    state.step = i + 1;
    this.#stepsThisCall++;
    if (opts.checkpoint && state.step % opts.checkpoint.every === 0) {
      const averaged = state.averaged ? await this.#readAverage() : undefined;
      await opts.checkpoint.save(state, { weights: await this.net.readWeights(), averaged });
    }
    if (opts.haltAfter !== undefined && this.#stepsThisCall >= opts.haltAfter) {
      throw new HaltedError(state.step);
    }
  }

  destroy(): void {
    this.net.destroy();
    this.trainSplit.destroy();
    this.testSplit.destroy();
    this.stepStats.destroy();
    for (const t of this.avg) t.destroy();
  }
}
