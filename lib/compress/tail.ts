/**
 * Per-layer tail indices and compressibility of a trained FCN, for the "estimated tail index vs
 * pruning ratio" figure of 2106.03795 (docs/papers.md §B.4, §B.7).
 *
 * Each layer is read in the authors' orientation: hidden layers as stored (out×in, rows = units'
 * incoming weight vectors) and the output layer transposed (in×out, rows = last-hidden units'
 * outgoing vectors), then `layerAlpha` gives the multivariate (rows), univariate and row-norm
 * estimates, each the median over `permutations` row orders. The prunable fraction is the adaptive
 * magnitude rule at relative error ε (default 0.1) on the layer-median-centred entries, which does
 * not depend on the orientation.
 *
 * The authors take α̂ from the averaged iterate x_mc and the prunable fraction from the final
 * iterate x_final; pass the averaged weights as `averaged` to do the same (default: both from
 * `final`).
 */
import { layerAlpha } from "../analysis/layer_alpha.ts";
import { validateLayer, type WeightLayer } from "./layers.ts";
import { prunableFraction } from "./magnitude.ts";

export interface LayerTailRow {
  /** Layer index (0 = first). */
  index: number;
  /** Shape in the authors' orientation. */
  rows: number;
  cols: number;
  /** True for the output layer (read transposed). */
  transposed: boolean;
  multivariate: number;
  univariate: number;
  norms: number;
  /** Adaptive magnitude-pruning fraction at relative error `epsilon` (of `final`). */
  prunableFraction: number;
}

export interface TailReportOptions {
  /** Weights to estimate α̂ on (the authors' x_mc); default `final`. */
  averaged?: WeightLayer[];
  epsilon?: number;
  permutations?: number;
  seed?: number;
}

/** Row-major transpose of a rows×cols matrix. */
export function transposeLayer(layer: WeightLayer): WeightLayer {
  const { data, rows, cols } = layer;
  const t = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) t[j * rows + i] = data[i * cols + j];
  }
  return { data: t, rows: cols, cols: rows };
}

/** The layers in the authors' orientation (the last one transposed). */
export function authorsOrientation(layers: WeightLayer[]): WeightLayer[] {
  return layers.map((
    l,
    i,
  ) => (i === layers.length - 1 && layers.length > 1 ? transposeLayer(l) : l));
}

export function layerTailReport(
  final: WeightLayer[],
  opts: TailReportOptions = {},
): LayerTailRow[] {
  final.forEach(validateLayer);
  const alphaFrom = opts.averaged ?? final;
  if (alphaFrom.length !== final.length) {
    throw new RangeError(`averaged has ${alphaFrom.length} layers, final ${final.length}`);
  }
  alphaFrom.forEach((l, i) => {
    validateLayer(l, i);
    if (l.rows !== final[i].rows || l.cols !== final[i].cols) {
      throw new RangeError(`layer ${i}: averaged and final shapes differ`);
    }
  });
  const epsilon = opts.epsilon ?? 0.1;
  const oriented = authorsOrientation(alphaFrom);
  return oriented.map((l, index) => {
    const a = layerAlpha(l.data, l.rows, l.cols, {
      permutations: opts.permutations ?? 5,
      seed: opts.seed ?? 0,
    });
    return {
      index,
      rows: l.rows,
      cols: l.cols,
      transposed: index === final.length - 1 && final.length > 1,
      ...a,
      prunableFraction: prunableFraction(final[index].data, epsilon),
    };
  });
}
