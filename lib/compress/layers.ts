/**
 * Shared pieces of the 2106.03795 compression algorithms (docs/papers.md §B.5): the layer type,
 * pruning rules, validation and the ratio → count conversion.
 *
 * A layer is a row-major rows×cols matrix. FCN layers are stored as PyTorch does (out×in), so
 * row i holds output unit i's incoming weights and column j holds input unit j's outgoing weights.
 */

/** One weight matrix, row-major `rows`×`cols`. */
export interface WeightLayer {
  data: Float32Array;
  rows: number;
  cols: number;
}

/**
 * How much to prune:
 * - `ratio`: the non-adaptive rule, prune ⌊ratio·n⌋ of the n candidates;
 * - `error`: the adaptive rule, prune the largest number of smallest candidates whose removal keeps
 *   the relative ℓ2 reconstruction error ≤ `epsilon` (‖x_pruned‖₂ / ‖x‖₂ ≤ ε).
 */
export type PruneRule = { kind: "ratio"; ratio: number } | { kind: "error"; epsilon: number };

/**
 * The value a pruned weight takes:
 * - `"zero"` (default): a true 0 in the weight matrix, i.e. the weight (or unit) is removed;
 * - `"centre"`: 0 in the centred coordinates, i.e. the centre that was subtracted before ranking
 *   (the layer median, or per-row medians for node pruning) is added back, so the pruned weight
 *   equals that median. This is what the authors' code does (docs/papers.md §B.6): a layer is then
 *   stored as "median + sparse vector", one extra number per layer (or per row).
 * Both coincide when the centre is 0 (no centring, or a median of exactly 0).
 */
export type PrunedValue = "zero" | "centre";

export function validateRule(rule: PruneRule): PruneRule {
  if (rule.kind === "ratio") {
    if (!(rule.ratio >= 0 && rule.ratio <= 1)) {
      throw new RangeError(`ratio: ${rule.ratio} must be in [0, 1]`);
    }
  } else if (rule.kind === "error") {
    if (!(rule.epsilon >= 0)) throw new RangeError(`epsilon: ${rule.epsilon} must be ≥ 0`);
  } else {
    throw new TypeError(`rule kind "${(rule as { kind: string }).kind}" is not ratio or error`);
  }
  return rule;
}

export function validateLayer(layer: WeightLayer, index: number): void {
  const { data, rows, cols } = layer;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`layer ${index}: shape ${rows}×${cols} must be positive integers`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(`layer ${index}: ${data.length} values do not fill ${rows}×${cols}`);
  }
}

/**
 * The sorted, de-duplicated indices of the layers to prune (default: all of them, the output
 * layer included).
 */
export function prunedLayerSet(count: number, layers?: readonly number[]): number[] {
  if (layers === undefined) return Array.from({ length: count }, (_, i) => i);
  for (const l of layers) {
    if (!Number.isInteger(l) || l < 0 || l >= count) {
      throw new RangeError(`pruned layer ${l} is not a layer index in [0, ${count})`);
    }
  }
  return [...new Set(layers)].sort((a, b) => a - b);
}

/**
 * ⌊ratio·n⌋, computed so that products meant to be integers are not lost to rounding
 * (0.29·100 = 28.999999999999996 gives 29 here). The authors' Python `int(ratio·n)` gives 28 there;
 * this differs by one entry at most and is not offered as an option.
 */
export function floorRatio(ratio: number, n: number): number {
  const x = ratio * n;
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? r : Math.floor(x);
}

/**
 * The adaptive rule on ascending squared magnitudes q₀ ≤ q₁ ≤ …: the largest k with
 * Σ_{i<k} q_i ≤ ε²·Σ_i q_i, i.e. the residual ‖x_pruned‖₂/‖x‖₂ ≤ ε (docs/papers.md §B.5). A zero
 * vector is prunable in full. The authors compute it with scipy `percentileofscore`, which counts
 * the strict inequality `< ε`; the two differ only when a residual equals ε exactly.
 */
export function adaptiveCount(sortedSquares: Float64Array, epsilon: number): number {
  const n = sortedSquares.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += sortedSquares[i];
  const budget = epsilon * epsilon * total;
  let cum = 0;
  let k = 0;
  while (k < n && cum + sortedSquares[k] <= budget) cum += sortedSquares[k++];
  return k;
}

/** Number of candidates to prune under `rule`, given their ascending squared magnitudes. */
export function pruneCount(sortedSquares: Float64Array, rule: PruneRule): number {
  return rule.kind === "ratio"
    ? floorRatio(rule.ratio, sortedSquares.length)
    : adaptiveCount(sortedSquares, rule.epsilon);
}

/** 1 − remaining/total: the authors' `pruned_parameter_ratio`. */
export function prunedParameterRatio(remaining: number, total: number): number {
  return total > 0 ? 1 - remaining / total : 0;
}

/** The parameter counts every pruning result reports: all layers' entries, those left, the ratio. */
export function parameterTotals(layers: readonly WeightLayer[], remainingParameters: number) {
  const totalParameters = layers.reduce((s, l) => s + l.data.length, 0);
  return {
    totalParameters,
    remainingParameters,
    prunedParameterRatio: prunedParameterRatio(remainingParameters, totalParameters),
  };
}

/** Rearranges a[lo..hi] so that a[k] is the value a full sort would put there (quickselect). */
function selectInPlace(a: Float64Array, k: number): void {
  let [lo, hi] = [0, a.length - 1];
  while (hi > lo) {
    // Median-of-three pivot, then a Hoare partition.
    const mid = (lo + hi) >>> 1;
    const [x, y, z] = [a[lo], a[mid], a[hi]];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let [i, j] = [lo, hi];
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * The median (mean of the two middle values for an even count, as numpy), by quickselect in
 * O(n) expected time; equals `median` of lib/analysis/median.ts. NaN when empty.
 */
export function fastMedian(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return NaN;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = x[i];
  const k = n >> 1;
  selectInPlace(a, k);
  if (n % 2 === 1) return a[k];
  // The lower middle is the largest of a[0..k−1] after selection.
  let lower = -Infinity;
  for (let i = 0; i < k; i++) if (a[i] > lower) lower = a[i];
  return 0.5 * (lower + a[k]);
}
