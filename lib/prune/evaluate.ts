/** Prune a trained FCN or CNN and evaluate it on the full train and test sets, without retraining. */
import type { Gpu } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import { inputDimOf, modelShapes, type ModelSpec, prunableLayers } from "../model/model.ts";
import { DeviceSplit } from "../model/device_split.ts";
import { type EvalResult, evaluate } from "../model/evaluate.ts";
import { netOnGpu } from "../model/on_gpu.ts";
import {
  type LayerPruning,
  type PruneCriterion,
  pruneWeightRows,
  pruningRatio,
} from "./columns.ts";

export interface PrunedEvaluation {
  criterion: PruneCriterion;
  pruningRatio: number;
  layers: LayerPruning[];
  train: EvalResult;
  test: EvalResult;
}

/**
 * Evaluates several weight sets of one architecture on the full train and test sets, sharing one
 * GPU workspace (for pruned variants of a trained net).
 */
export async function evaluateWeightSets(
  gpu: Gpu,
  spec: ModelSpec,
  sets: Float32Array[][],
  data: Dataset,
  evalRows: number,
): Promise<{ train: EvalResult; test: EvalResult }[]> {
  if (sets.length === 0) return [];
  const rows = Math.min(evalRows, Math.max(data.train.n, data.test.n));
  const net = netOnGpu(gpu, spec, sets[0], rows);
  const train = new DeviceSplit(gpu, data.train, inputDimOf(spec), rows);
  const test = new DeviceSplit(gpu, data.test, inputDimOf(spec), rows);
  try {
    const out: { train: EvalResult; test: EvalResult }[] = [];
    for (const weights of sets) {
      net.setWeights(weights);
      out.push({ train: await evaluate(gpu, net, train), test: await evaluate(gpu, net, test) });
    }
    return out;
  } finally {
    net.destroy();
    train.destroy();
    test.destroy();
  }
}

/** Evaluates `weights` after each criterion (one GPU workspace for all of them). */
export async function pruneAndEvaluate(
  gpu: Gpu,
  spec: ModelSpec,
  weights: Float32Array[],
  data: Dataset,
  criteria: PruneCriterion[],
  evalRows: number,
): Promise<PrunedEvaluation[]> {
  const shapes = modelShapes(spec);
  const prunable = prunableLayers(spec);
  const pruned = criteria.map((c) => pruneWeightRows(weights, shapes, c, prunable));
  const evals = await evaluateWeightSets(gpu, spec, pruned.map((p) => p.weights), data, evalRows);
  return pruned.map((p, i) => ({
    criterion: criteria[i],
    pruningRatio: pruningRatio(p.layers),
    layers: p.layers,
    train: evals[i].train,
    test: evals[i].test,
  }));
}
