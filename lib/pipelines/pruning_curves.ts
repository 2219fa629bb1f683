/**
 * Pruning curves of one trained FCN under the three schemes of 2106.03795: magnitude (local and
 * global, non-adaptive ratio), node (input-unit columns) and singular-value pruning, each evaluated on the
 * test set without retraining. Defaults follow the paper's intent (pruned weights become 0, the
 * output layer is really modified); see lib/compress/ for the authors' variants.
 */
import type { Gpu } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import type { WeightLayer } from "../compress/layers.ts";
import { magnitudePrune } from "../compress/magnitude.ts";
import { nodePrune } from "../compress/node.ts";
import { layerSvd, spectralAxis, spectralPrune } from "../compress/spectral.ts";
import { type FcnSpec, layerShapes } from "../model/fcn.ts";
import { evaluateWeightSets } from "../prune/evaluate.ts";

/** "magnitude": per-layer (local) threshold; "magnitude-global": one threshold over all layers. */
/** Pruning ratios at which each scheme's curve is evaluated. */
export interface PruningRatios {
  magnitude: number[];
  node: number[];
  spectral: number[];
}

export type PruningMethod = "magnitude" | "magnitude-global" | "node" | "spectral";
export const PRUNING_METHODS: readonly PruningMethod[] = [
  "magnitude",
  "magnitude-global",
  "node",
  "spectral",
];

export interface PruningPoint {
  method: PruningMethod;
  ratio: number;
  prunedParameterRatio: number;
  testAcc: number;
  testLoss: number;
}

export async function pruningCurves(
  gpu: Gpu,
  spec: FcnSpec,
  weights: Float32Array[],
  data: Dataset,
  ratios: PruningRatios,
  evalRows: number,
): Promise<PruningPoint[]> {
  const layers: WeightLayer[] = layerShapes(spec).map((s, l) => ({
    data: weights[l],
    rows: s.out,
    cols: s.in,
  }));
  const variants: {
    method: PruningMethod;
    ratio: number;
    weights: Float32Array[];
    ratioOut: number;
  }[] = [];
  for (const scope of ["local", "global"] as const) {
    for (const ratio of ratios.magnitude) {
      const r = magnitudePrune(layers, { rule: { kind: "ratio", ratio }, scope });
      variants.push({
        method: scope === "local" ? "magnitude" : "magnitude-global",
        ratio,
        weights: r.weights,
        ratioOut: r.prunedParameterRatio,
      });
    }
  }
  for (const ratio of ratios.node) {
    const r = nodePrune(layers, { rule: { kind: "ratio", ratio } });
    variants.push({ method: "node", ratio, weights: r.weights, ratioOut: r.prunedParameterRatio });
  }
  // One SVD per layer serves every ratio.
  const svds = layers.map((l, i) =>
    layerSvd(l, { axis: spectralAxis(undefined, i, layers.length) })
  );
  for (const ratio of ratios.spectral) {
    const r = spectralPrune(layers, { ratio, svds });
    variants.push({
      method: "spectral",
      ratio,
      weights: r.weights,
      ratioOut: r.prunedParameterRatio,
    });
  }
  const evals = await evaluateWeightSets(gpu, spec, variants.map((v) => v.weights), data, evalRows);
  return variants.map((v, i) => ({
    method: v.method,
    ratio: v.ratio,
    prunedParameterRatio: v.ratioOut,
    testAcc: evals[i].test.accuracy,
    testLoss: evals[i].test.loss,
  }));
}
