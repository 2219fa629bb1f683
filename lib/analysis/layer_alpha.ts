/**
 * Per-layer tail indices as computed in 2106.03795 (docs/papers.md §B.4):
 * - multivariate: rows median-centred per column, then `estimateAlphaRows`;
 * - norms: Euclidean norms of the centred rows, minus their median, then `estimateAlpha`;
 * - univariate ("ind"): the centred matrix flattened, minus its median, then `estimateAlpha`.
 * Each is the median over `permutations` random orders (the authors use 5).
 *
 * Orientation: pass a linear layer's weight as rows = out (each row a unit's incoming weights).
 * The authors reshape a conv weight (out, in, kh, kw) to (out·in, kh·kw): rows = out·in,
 * cols = kh·kw over the same row-major buffer.
 */
import { centreByMedian, centreColumnsByMedian, rowNorms, type Samples } from "./median.ts";
import { estimateAlpha, estimateAlphaRows } from "./tail_index.ts";

export interface LayerAlpha {
  multivariate: number;
  norms: number;
  univariate: number;
}

export function layerAlpha(
  w: Samples,
  rows: number,
  cols: number,
  opts: { permutations?: number; seed?: number } = {},
): LayerAlpha {
  const est = { permutations: opts.permutations ?? 5, seed: opts.seed ?? 0 };
  const centred = centreColumnsByMedian(w, rows, cols);
  return {
    multivariate: estimateAlphaRows(centred, rows, cols, est),
    norms: estimateAlpha(centreByMedian(rowNorms(centred, rows, cols)), est),
    univariate: estimateAlpha(centreByMedian(centred), est),
  };
}
