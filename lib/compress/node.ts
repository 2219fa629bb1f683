/**
 * Node pruning of FCN layers in 2106.03795 (docs/papers.md §B.5; the authors' `nb_pruning`, FCN
 * branch). For a layer W (out×in, PyTorch layout) column j holds input unit j's outgoing weights,
 * so removing column j removes input unit j from this layer. Each row is centred by its median
 * across the columns (C = W − rowMedian·1ᵀ); columns are ranked by their centred norm ‖C[:, j]‖₂
 * and the smallest are pruned: ⌊r·in⌋ of them (non-adaptive), or as many as keep
 * ‖C_pruned‖_F/‖C‖_F ≤ ε (adaptive). Remaining parameters: (in − pruned)·out. Columns of layer 0
 * are input pixels; those of the output layer are the last hidden units. The previous layer's
 * rows are not removed.
 *
 * Not the same as 2306.08125's pruning in lib/prune/columns.ts, which removes rows (hidden units,
 * ranked by the norm of their incoming weights, no centring, output layer never pruned, error on
 * the squared Frobenius share). The two papers define a "node" from opposite sides of the weight
 * matrix, so both exist to reproduce each paper's numbers.
 *
 * Where the authors' code differs from the intent (default = intent):
 * - pruned columns become 0 (`prunedValue: "zero"`: the unit is really removed); the authors set
 *   them to 0 in centred coordinates, i.e. to the row medians (`prunedValue: "centre"`);
 * - the adaptive count: intent = the ε rule on the column norms themselves, which bounds the
 *   Frobenius error of the pruned (centred) layer; the authors apply the ε rule to
 *   |norms − median(norms)| (while still pruning the smallest norms), `authorsNormCentring: true`;
 * - accounting: for a layer left unpruned the authors add the size of a stale tensor, the most
 *   recently pruned layer before it (and fail when there is none), `authorsStaleAccounting: true`.
 */
import {
  adaptiveCount,
  fastMedian,
  floorRatio,
  parameterTotals,
  prunedLayerSet,
  type PrunedValue,
  type PruneRule,
  validateLayer,
  validateRule,
  type WeightLayer,
} from "./layers.ts";

export interface NodeOptions {
  rule: PruneRule;
  /** Indices of the layers to prune (default: all, the output layer included). */
  layers?: readonly number[];
  prunedValue?: PrunedValue;
  authorsNormCentring?: boolean;
  authorsStaleAccounting?: boolean;
}

export interface NodeLayerReport {
  index: number;
  rows: number;
  cols: number;
  /** Input units (columns) pruned. */
  pruned: number;
  /** Their indices, smallest centred norm first. */
  prunedColumns: number[];
  /** Parameters counted as remaining for this layer. */
  remaining: number;
  /** ‖C_pruned‖_F/‖C‖_F of the centred layer (0 for unpruned layers). */
  relativeError: number;
}

export interface NodeResult {
  weights: Float32Array[];
  layers: NodeLayerReport[];
  totalParameters: number;
  remainingParameters: number;
  prunedParameterRatio: number;
}

/** The median of each row of a row-major rows×cols matrix. */
export function rowMedians(w: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  const buf = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) buf[j] = w[i * cols + j];
    out[i] = fastMedian(buf);
  }
  return out;
}

/** ‖C[:, j]‖₂ for C = W − rowMedian·1ᵀ. */
export function centredColumnNorms(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  medians: Float64Array = rowMedians(w, rows, cols),
): Float64Array {
  const sq = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const m = medians[i];
    for (let j = 0; j < cols; j++) sq[j] += (w[i * cols + j] - m) ** 2;
  }
  return sq.map(Math.sqrt);
}

/** Number of columns to prune under `rule` (see the module comment for the two ε variants). */
export function nodePruneCount(norms: Float64Array, rule: PruneRule, authorsNormCentring = false) {
  if (rule.kind === "ratio") return floorRatio(rule.ratio, norms.length);
  const m = authorsNormCentring ? fastMedian(norms) : 0;
  const sortedSq = Float64Array.from(norms, (v) => (v - m) ** 2).sort();
  return adaptiveCount(sortedSq, rule.epsilon);
}

/** Node-prunes the selected FCN layers (inputs unchanged); see the module comment. */
export function nodePrune(layers: WeightLayer[], opts: NodeOptions): NodeResult {
  layers.forEach(validateLayer);
  const rule = validateRule(opts.rule);
  const selected = new Set(prunedLayerSet(layers.length, opts.layers));
  const prunedValue = opts.prunedValue ?? "zero";
  const reports: NodeLayerReport[] = [];
  let lastPrunedNumel: number | undefined;
  const weights = layers.map((layer, index) => {
    const { rows, cols, data } = layer;
    if (!selected.has(index)) {
      let remaining = rows * cols;
      if (opts.authorsStaleAccounting) {
        if (lastPrunedNumel === undefined) {
          throw new Error(
            `authorsStaleAccounting: layer ${index} is unpruned with no pruned layer before it ` +
              "(the authors' code has no tensor to count there)",
          );
        }
        remaining = lastPrunedNumel;
      }
      reports.push({
        index,
        rows,
        cols,
        pruned: 0,
        prunedColumns: [],
        remaining,
        relativeError: 0,
      });
      return data.slice();
    }
    const medians = rowMedians(data, rows, cols);
    const norms = centredColumnNorms(data, rows, cols, medians);
    const count = nodePruneCount(norms, rule, opts.authorsNormCentring);
    const order = Array.from(norms.keys()).sort((a, b) => norms[a] - norms[b] || a - b);
    const prunedColumns = order.slice(0, count);
    const w = data.slice();
    for (const j of prunedColumns) {
      for (let i = 0; i < rows; i++) w[i * cols + j] = prunedValue === "zero" ? 0 : medians[i];
    }
    let [removed, total] = [0, 0];
    norms.forEach((v) => (total += v * v));
    prunedColumns.forEach((j) => (removed += norms[j] ** 2));
    lastPrunedNumel = rows * cols;
    reports.push({
      index,
      rows,
      cols,
      pruned: count,
      prunedColumns,
      remaining: (cols - count) * rows,
      relativeError: total > 0 ? Math.sqrt(removed / total) : 0,
    });
    return w;
  });
  return {
    weights,
    layers: reports,
    ...parameterTotals(layers, reports.reduce((s, r) => s + r.remaining, 0)),
  };
}
