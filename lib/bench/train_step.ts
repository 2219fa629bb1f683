/**
 * The trainer's own step and evaluation pass (lib/train/trainer.ts TrainingRun), on synthetic
 * MNIST-shaped data, for the CPU-adapter benchmarks of issue #23: profiled per dispatch
 * (profile.ts) or timed by the host clock. A step and an evaluation pass run untimed first, so
 * every pipeline is compiled before anything is measured; the measured steps are steps 2, 3, …
 * (no evaluation, as all but one in `evalEvery` steps of a run).
 */
import type { Dataset } from "../data/dataset.ts";
import type { Gpu } from "../gpu/runtime.ts";
import { evaluate } from "../model/evaluate.ts";
import type { NoiseSpec } from "../noise/inject.ts";
import { parseTrainConfig } from "../train/config.ts";
import { TrainingRun } from "../train/trainer.ts";
import { medianOf } from "./measure.ts";
import { formatProfile, type Profile, profile, type ProfileMethod } from "./profile.ts";
import { uniformFloats } from "./run.ts";

export interface TrainBenchShape {
  width: number;
  batch: number;
  inputDim: number;
  classes: number;
  /** Training rows (the evaluation pass covers all of them) and test rows. */
  trainRows: number;
  testRows: number;
}

/** The authors' MNIST setting of issue #23: d 784, batch 500, 8,000 training images. */
export const AUTHORS_SHAPE: Omit<TrainBenchShape, "width"> = {
  batch: 500,
  inputDim: 784,
  classes: 10,
  trainRows: 8000,
  testRows: 2000,
};

/** U(0, 1) pixels and labels i mod classes: the speed of a step does not depend on the data. */
export function syntheticDataset(shape: TrainBenchShape, seed: number): Dataset {
  const { inputDim: d, classes, trainRows, testRows } = shape;
  const split = (n: number, s: number) => ({
    x: uniformFloats(n * d, s, 0, 1),
    y: new Uint8Array(n).map((_, i) => i % classes),
    n,
  });
  return {
    name: "synthetic-bench",
    inputDim: d,
    numClasses: classes,
    shape: [1, 1, d],
    train: split(trainRows, seed + 7),
    test: split(testRows, seed + 8),
    source: "synthetic U(0,1) pixels (bench)",
  };
}

/** A TrainingRun of one hidden layer at `shape` that never evaluates at the steps run here. */
export async function openBenchRun(
  gpu: Gpu,
  shape: TrainBenchShape,
  noise: NoiseSpec,
  opts: { lr?: number; seed?: number } = {},
): Promise<TrainingRun> {
  const seed = opts.seed ?? 1;
  const config = parseTrainConfig({
    dataset: "synthetic",
    width: shape.width,
    depth: 2,
    lr: opts.lr ?? 0.01,
    batchSize: shape.batch,
    evalEvery: 1_000_000,
    maxSteps: 1_000_000_000,
    convergenceAccuracy: 100,
    noise,
    seed,
  });
  const run = await TrainingRun.open(gpu, config, syntheticDataset(shape, seed), {});
  await run.step(1); // warm-up: compiles the step's pipelines
  await evaluate(gpu, run.net, run.trainSplit); // ... and the evaluation's
  return run;
}

export interface TrainProfile {
  step: Profile;
  evaluation: Profile;
}

/** One step (step 2, after the warm-up) and one evaluation pass over the training split. */
export async function profileTraining(
  gpu: Gpu,
  shape: TrainBenchShape,
  noise: NoiseSpec,
  method?: ProfileMethod,
): Promise<TrainProfile> {
  const run = await openBenchRun(gpu, shape, noise);
  try {
    const step = await profile(gpu, () => run.step(2), { method });
    const evaluation = await profile(gpu, () => evaluate(gpu, run.net, run.trainSplit), {
      method,
    });
    return { step, evaluation };
  } finally {
    await gpu.sync();
    run.destroy();
  }
}

export function formatTrainProfile(label: string, shape: TrainBenchShape, p: TrainProfile) {
  const where = `width ${shape.width}, d ${shape.inputDim}, batch ${shape.batch}`;
  return [
    formatProfile(`Training step, ${label}, ${where}`, p.step, 8),
    "",
    formatProfile(
      `Evaluation pass over ${shape.trainRows} training images, ${where}`,
      p.evaluation,
      8,
    ),
  ].join("\n");
}

export interface TrainTiming {
  /** Median over repeats of (host time of `steps` steps, GPU drained) / steps. */
  stepMs: number;
  /** Median over repeats of one evaluation pass over the training split (host clock; NaN when
   * not measured). */
  evalMs: number;
}

/** The trainer's step and evaluation pass, timed by the host clock (medians of `repeats`). */
export async function timeTraining(
  gpu: Gpu,
  shape: TrainBenchShape,
  noise: NoiseSpec,
  opts: { steps: number; repeats: number; evaluation?: boolean },
): Promise<TrainTiming> {
  const run = await openBenchRun(gpu, shape, noise);
  try {
    let i = 2;
    const stepTimes: number[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      const t0 = performance.now();
      for (let s = 0; s < opts.steps; s++) await run.step(i++);
      await gpu.sync();
      stepTimes.push((performance.now() - t0) / opts.steps);
    }
    const evalTimes: number[] = [];
    for (let r = 0; r < (opts.evaluation === false ? 0 : opts.repeats); r++) {
      const t0 = performance.now();
      await evaluate(gpu, run.net, run.trainSplit);
      evalTimes.push(performance.now() - t0);
    }
    return { stepMs: medianOf(stepTimes), evalMs: medianOf(evalTimes) };
  } finally {
    await gpu.sync();
    run.destroy();
  }
}
