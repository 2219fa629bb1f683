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
  const rows = Math.min(evalRows, Math.max(data.train.n, data.test.n));
  const net = new FcnOnGpu(gpu, spec, weights, rows);
  const train = new DeviceSplit(gpu, data.train, spec.inputDim, rows);
  const test = new DeviceSplit(gpu, data.test, spec.inputDim, rows);
  try {
    const out: PrunedEvaluation[] = [];
    for (const criterion of criteria) {
      const pruned = pruneFcnWeights(weights, shapes, criterion);
      net.setWeights(pruned.weights);
      out.push({
        criterion,
        pruningRatio: pruningRatio(pruned.layers),
        layers: pruned.layers,
        train: await evaluate(gpu, net, train),
        test: await evaluate(gpu, net, test),
      });
    }
    return out;
  } finally {
    net.destroy();
    train.destroy();
    test.destroy();
  }
}
