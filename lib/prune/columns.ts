/**
 * Column (hidden-unit) pruning of 2306.08125 (docs/papers.md §A.6). For a layer W (out×in, row i =
 * unit i's incoming weights θ_i), units are ranked by ‖θ_i‖₂ and the smallest are zeroed:
 *  - "mce" (the paper, error 0.1): the largest prefix of smallest units whose total squared norm
 *    is ≤ error·‖W‖_F², i.e. ‖W − W_pruned‖_F² / ‖W‖_F² ≤ error;
 *  - "fraction": the ⌊r·n⌋ smallest units (the authors' parameter_ratio curves).
 * Layers are pruned independently; the output layer never is (nor the VGG's first conv). A conv
 * weight (out, in, kh, kw) is the matrix out × (in·kh·kw): its rows are filters (the authors'
 * `--pruning_type filter`).
 */

export type PruneCriterion = { kind: "mce"; error: number } | {
  kind: "fraction";
  fraction: number;
};

export function validateCriterion(c: PruneCriterion): PruneCriterion {
  if (c.kind === "mce" && !(c.error >= 0 && c.error <= 1)) {
    throw new Error(`mce error must be in [0,1], got ${c.error}`);
  }
  if (c.kind === "fraction" && !(c.fraction >= 0 && c.fraction <= 1)) {
    throw new Error(`prune fraction must be in [0,1], got ${c.fraction}`);
  }
  return c;
}

/** Squared ℓ2 norm of each row, accumulated in f64. */
export function rowSquaredNormsHost(w: Float32Array, rows: number, cols: number): Float64Array {
  if (w.length !== rows * cols) {
    throw new Error(`weights hold ${w.length} values, expected ${rows}×${cols}`);
  }
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = r * cols, end = j + cols; j < end; j++) s += w[j] * w[j];
    out[r] = s;
  }
  return out;
}

/** Indices of the rows to prune (ascending norm order; ties broken by index). */
export function selectPrunedRows(sqNorms: Float64Array, criterion: PruneCriterion): number[] {
  const order = Array.from(sqNorms.keys()).sort((a, b) => sqNorms[a] - sqNorms[b] || a - b);
  if (criterion.kind === "fraction") {
    return order.slice(0, Math.floor(criterion.fraction * order.length));
  }
  const total = sqNorms.reduce((a, b) => a + b, 0);
  // Authors: the cumulative share cum/total of an all-zero layer is 0/0 = NaN, and NaN ≤ error
  // is never true: such a layer keeps every unit (a budget of 0 would prune them all).
  if (!(total > 0)) return [];
  const budget = criterion.error * total;
  let cum = 0;
  let k = 0;
  // Authors: cutoff = first k where the cumulative share exceeds the budget; prune the k before it.
  while (k < order.length && cum + sqNorms[order[k]] <= budget) cum += sqNorms[order[k++]];
  return order.slice(0, k);
}

export interface LayerPruning {
  layer: number;
  units: number;
  pruned: number;
  rowLength: number;
  /** ‖W − W_pruned‖_F / ‖W‖_F. */
  relativeError: number;
}

/**
 * Zeroes the selected rows of every prunable layer (default: all but the last; a conv layer's
 * rows are its filters, each in·kh·kw weights); returns new arrays and a report.
 */
export function pruneWeightRows(
  weights: Float32Array[],
  shapes: { out: number; in: number }[],
  criterion: PruneCriterion,
  prunable: boolean[] = weights.map((_, l) => l < weights.length - 1),
): { weights: Float32Array[]; layers: LayerPruning[] } {
  validateCriterion(criterion);
  if (prunable.length !== weights.length) {
    throw new Error(`prunable: ${prunable.length} flags for ${weights.length} layers`);
  }
  const layers: LayerPruning[] = [];
  const pruned = weights.map((w, l) => {
    if (!prunable[l]) return w.slice();
    const { out, in: cols } = shapes[l];
    const sq = rowSquaredNormsHost(w, out, cols);
    const rows = selectPrunedRows(sq, criterion);
    const copy = w.slice();
    let removed = 0;
    for (const r of rows) {
      copy.fill(0, r * cols, (r + 1) * cols);
      removed += sq[r];
    }
    const total = sq.reduce((a, b) => a + b, 0);
    layers.push({
      layer: l,
      units: out,
      pruned: rows.length,
      rowLength: cols,
      relativeError: total > 0 ? Math.sqrt(removed / total) : 0,
    });
    return copy;
  });
  return { weights: pruned, layers };
}

/**
 * The authors' pruning ratio with the last layer ignored:
 *   1 − Σ_l (rows kept_l · row length_l) / Σ_l (rows_l · row length_l), over pruned layers,
 * which for one hidden layer is (pruned hidden units)/n.
 */
export function pruningRatio(layers: LayerPruning[]): number {
  let kept = 0;
  let total = 0;
  for (const l of layers) {
    kept += (l.units - l.pruned) * l.rowLength;
    total += l.units * l.rowLength;
  }
  return total > 0 ? 1 - kept / total : 0;
}
