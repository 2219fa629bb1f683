/**
 * The (lr, batch) sweep of 2106.03795 and its per-run analysis: per-layer tail indices of the
 * averaged iterate, the generalization gap, and pruning curves. Training runs and analyses are
 * cached in the results store, so the figure scripts that share a sweep compute it once.
 */
import { z } from "zod";
import { etaText } from "../train/progress.ts";
import type { Gpu } from "../gpu/runtime.ts";
import type { Dataset, DatasetName } from "../data/dataset.ts";
import { layerTailReport, type LayerTailRow } from "../compress/tail.ts";
import { layerShapes } from "../model/fcn.ts";
import { cached, type RecordSpec, storedNumber } from "../store/cache.ts";
import { RECORD_KINDS } from "../store/kinds.ts";
import type { ResultStore } from "../store/results.ts";
import { parseTrainConfig, type TrainConfig } from "../train/config.ts";
import { datasetFor } from "../data/for_config.ts";
import { type RunOutcome, trainOrLoad } from "../train/run.ts";
import { fcnSpecFor } from "../train/model_for.ts";
import {
  PRUNING_METHODS,
  pruningCurves,
  type PruningPoint,
  type PruningRatios,
} from "./pruning_curves.ts";

/** One sweep of 2106.03795 (docs/papers.md §B.1–B.3); the values live in the figure presets. */
export interface CompanionModel {
  name: string;
  depth: number;
  width: number;
}

export interface CompanionPreset {
  dataset: DatasetName;
  limitTrain?: number;
  limitTest?: number;
  models: CompanionModel[];
  lrs: number[];
  batches: number[];
  lossThreshold: number;
  extraSteps: number;
  averageSteps: number;
  evalEvery: number;
  maxSteps: number;
  /** Ratios for the pruning curves (magnitude / node / singular-value). */
  ratios: PruningRatios;
  /** Seeds of every (model, b, η) point (default [0], the authors' one seed). */
  seeds?: number[];
}

const LayerTailRowSchema: z.ZodType<LayerTailRow> = z.strictObject({
  index: z.number().int(),
  rows: z.number().int(),
  cols: z.number().int(),
  transposed: z.boolean(),
  multivariate: storedNumber,
  norms: storedNumber,
  univariate: storedNumber,
  prunableFraction: storedNumber,
});

const PruningPointSchema: z.ZodType<PruningPoint> = z.strictObject({
  method: z.enum(PRUNING_METHODS),
  ratio: z.number(),
  prunedParameterRatio: storedNumber,
  testAcc: storedNumber,
  testLoss: storedNumber,
});

/**
 * The analysis of one run of the sweep, as cached (fields in the order `analyse` writes them).
 * It holds only what the run and the pruning ratios decide (both in its key); the model's name,
 * a label of the presets, is added when it is served (CompanionPoint).
 */
export const CompanionAnalysisSchema = z.strictObject({
  lr: z.number(),
  batch: z.number().int(),
  lrOverB: z.number(),
  steps: z.number().int(),
  stopReason: z.string(),
  trainAcc: storedNumber,
  testAcc: storedNumber,
  trainLoss: storedNumber,
  testLoss: storedNumber,
  /**
   * Per layer, in the authors' orientation (the output layer transposed): α̂ on the averaged
   * iterate x_mc, prunable fraction at 10% relative error on the final iterate.
   */
  alphas: z.array(LayerTailRowSchema),
  alphaMedian: storedNumber,
  /** |train − test| accuracy (percentage points) and loss, final iterate. */
  accuracyGap: storedNumber,
  lossGap: storedNumber,
  pruning: z.array(PruningPointSchema),
});
export type CompanionAnalysis = z.infer<typeof CompanionAnalysisSchema>;

/** One point of the sweep's figures: the model's name, the seed and the analysis of its run. */
export type CompanionPoint = { model: string; seed: number } & CompanionAnalysis;

/** The analysis record of one run: `config.run` names it, `config.ratios` the pruning ratios. */
export const COMPANION_ANALYSIS_RECORD: RecordSpec<{ point: CompanionAnalysis }> = {
  kind: RECORD_KINDS.companionAnalysis,
  schema: z.strictObject({ point: CompanionAnalysisSchema }),
};

export function companionConfigs(
  preset: CompanionPreset,
): { model: CompanionModel; config: TrainConfig }[] {
  const out: { model: CompanionModel; config: TrainConfig }[] = [];
  for (const seed of preset.seeds ?? [0]) {
    for (const model of preset.models) {
      for (const batch of preset.batches) {
        for (const lr of preset.lrs) {
          out.push({
            model,
            config: parseTrainConfig({
              dataset: preset.dataset,
              limitTrain: preset.limitTrain,
              limitTest: preset.limitTest,
              width: model.width,
              depth: model.depth,
              lr,
              batchSize: batch,
              evalEvery: preset.evalEvery,
              maxSteps: preset.maxSteps,
              convergenceAccuracy: 100,
              noise: { type: 0, alpha: 2, sigma: 0 },
              seed,
              stopRule: "loss",
              lossThreshold: preset.lossThreshold,
              extraSteps: preset.extraSteps,
              averageSteps: preset.averageSteps,
            }),
          });
        }
      }
    }
  }
  return out;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function analyse(
  gpu: Gpu,
  run: RunOutcome,
  config: TrainConfig,
  preset: CompanionPreset,
  data: () => Promise<Dataset>,
): Promise<CompanionAnalysis> {
  const m = run.metrics;
  const final = m.final!;
  const ds = await data();
  const spec = fcnSpecFor(config, ds);
  const shapes = layerShapes(spec);
  const asLayers = (ws: Float32Array[]) =>
    shapes.map((s, l) => ({ data: ws[l], rows: s.out, cols: s.in }));
  const alphas = layerTailReport(asLayers(run.weights), {
    averaged: run.averagedWeights && asLayers(run.averagedWeights),
    epsilon: 0.1,
  });
  const pruning = await pruningCurves(gpu, spec, run.weights, ds, preset.ratios, config.batchSize);
  return {
    lr: config.lr,
    batch: config.batchSize,
    lrOverB: config.lr / config.batchSize,
    steps: m.steps,
    stopReason: m.stopReason,
    trainAcc: final.trainAcc,
    testAcc: final.testAcc,
    trainLoss: final.trainLoss,
    testLoss: final.testLoss,
    alphas,
    alphaMedian: median(alphas.map((a) => a.multivariate)),
    accuracyGap: Math.abs(final.trainAcc - final.testAcc),
    lossGap: Math.abs(final.testLoss - final.trainLoss),
    pruning,
  };
}

/** Trains (or loads) every run of the preset and analyses it; diverged runs are skipped. */
export async function companionSweep(
  gpu: Gpu,
  store: ResultStore,
  preset: CompanionPreset,
  opts: {
    dataDir?: string;
    log?: (line: string) => void;
    keep?: (config: TrainConfig) => boolean;
  } = {},
): Promise<CompanionPoint[]> {
  const log = opts.log ?? (() => {});
  const all = companionConfigs(preset).filter((c) => opts.keep?.(c.config) ?? true);
  let data: Dataset | undefined;
  const loadData =
    async () => (data ??= await datasetFor(all[0].config, { dataDir: opts.dataDir, log }));
  const points: CompanionPoint[] = [];
  const started = performance.now();
  for (const [i, { model, config }] of all.entries()) {
    const tag = `[${i + 1}/${all.length}] ${model.name} lr ${config.lr} b ${config.batchSize}`;
    const run = await trainOrLoad(gpu, store, config, loadData, { log: (l) => log(`  ${l}`) });
    if (run.metrics.stopReason === "diverged") {
      log(`${tag}: diverged, skipped (the authors keep no diverged runs)`);
      continue;
    }
    const { point: analysis } = await cached(store, {
      ...COMPANION_ANALYSIS_RECORD,
      keyParts: { run: run.key, ratios: preset.ratios },
      log,
      compute: async () => ({ point: await analyse(gpu, run, config, preset, loadData) }),
    });
    const point: CompanionPoint = { model: model.name, seed: config.seed, ...analysis };
    log(
      `${tag}: ${run.cached ? "cached" : "trained"} ${point.steps} steps (${point.stopReason}), ` +
        `test ${point.testAcc.toFixed(2)}%, median α̂ ${point.alphaMedian.toFixed(3)}`,
    );
    points.push(point);
    if (i + 1 < all.length) {
      console.error(`${tag}: ${etaText(i + 1, all.length, (performance.now() - started) / 1000)}`);
    }
  }
  return points;
}
