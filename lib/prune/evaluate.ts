/** Prune a trained FCN and evaluate it on the full train and test sets, without retraining. */
import type { Gpu } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import { type FcnSpec, layerShapes } from "../model/fcn.ts";
import { DeviceSplit } from "../train/device_data.ts";
import { type EvalResult, evaluate } from "../train/evaluate.ts";
import { FcnOnGpu } from "../train/network.ts";
import {
  type LayerPruning,
  type PruneCriterion,
  pruneFcnWeights,
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
  spec: FcnSpec,
  sets: Float32Array[][],
  data: Dataset,
  evalRows: number,
): Promise<{ train: EvalResult; test: EvalResult }[]> {
  if (sets.length === 0) return [];
  const rows = Math.min(evalRows, Math.max(data.train.n, data.test.n));
  const net = new FcnOnGpu(gpu, spec, sets[0], rows);
  const train = new DeviceSplit(gpu, data.train, spec.inputDim, rows);
  const test = new DeviceSplit(gpu, data.test, spec.inputDim, rows);
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
  spec: FcnSpec,
  weights: Float32Array[],
  data: Dataset,
  criteria: PruneCriterion[],
  evalRows: number,
): Promise<PrunedEvaluation[]> {
  const shapes = layerShapes(spec);
  const pruned = criteria.map((c) => pruneFcnWeights(weights, shapes, c));
  const evals = await evaluateWeightSets(gpu, spec, pruned.map((p) => p.weights), data, evalRows);
  return pruned.map((p, i) => ({
    criterion: criteria[i],
    pruningRatio: pruningRatio(p.layers),
    layers: p.layers,
    train: evals[i].train,
    test: evals[i].test,
  }));
}
