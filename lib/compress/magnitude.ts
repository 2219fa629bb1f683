/**
 * Magnitude pruning of 2106.03795 (docs/papers.md §B.5), with median centring.
 *
 * Each pruned layer is flattened and centred by its median m (x = w − m). Entries are ranked by |x|
 * and the smallest are pruned, either ⌊r·n⌋ of them (non-adaptive) or as many as keep the relative
 * ℓ2 error ‖x_pruned‖₂/‖x‖₂ ≤ ε (adaptive). "Local" applies the rule to each layer alone; "global"
 * applies one rule (one threshold) to the concatenation of the centred layers, each centred by its
 * own median. "0 in the centred coordinates" means x_i = 0, i.e. w_i = m: see `PrunedValue`.
 *
 * Where the authors' code differs from the intent (docs/papers.md §B.6), the default is the intent:
 * - pruned weights become 0 (`prunedValue: "zero"`); the authors reset them to the layer median
 *   (`prunedValue: "centre"`);
 * - a pruned output layer is modified; in the authors' code the output layer is pruned through a
 *   transposed view that is rebound rather than written, so its weights stay as they were while the
 *   accounting still counts it as pruned (`authorsOutputLayerQuirk: true`). In global scope its
 *   entries still take part in the threshold either way.
 */
import type { Samples } from "../analysis/median.ts";
import {
  fastMedian,
  parameterTotals,
  pruneCount,
  prunedLayerSet,
  type PrunedValue,
  type PruneRule,
  validateLayer,
  validateRule,
  type WeightLayer,
} from "./layers.ts";

export type Centring = "median" | "none";

export interface MagnitudeOptions {
  rule: PruneRule;
  /** One rule per layer ("local", default) or one over all pruned layers together ("global"). */
  scope?: "local" | "global";
  /** Indices of the layers to prune (default: all, the output layer included). */
  layers?: readonly number[];
  /** Subtract the layer median before ranking (default "median", as the authors). */
  centring?: Centring;
  /** Value of a pruned weight (default "zero"; the authors: "centre" = the layer median). */
  prunedValue?: PrunedValue;
  /** Leave the last layer's weights untouched but count it as pruned (the authors' bug). */
  authorsOutputLayerQuirk?: boolean;
}

export interface MagnitudeLayerReport {
  index: number;
  numel: number;
  /** Entries pruned (counted in the accounting even when `modified` is false). */
  pruned: number;
  /** False for unpruned layers and for the output layer under `authorsOutputLayerQuirk`. */
  modified: boolean;
  /** The centre subtracted before ranking (the layer median, or 0 without centring). */
  centre: number;
  /** ‖x_pruned‖₂/‖x‖₂ in centred coordinates (the quantity the adaptive rule bounds). */
  relativeError: number;
  /** ‖W − W'‖_F/‖W‖_F of the returned weights. */
  weightRelativeError: number;
}

export interface MagnitudeResult {
  weights: Float32Array[];
  layers: MagnitudeLayerReport[];
  totalParameters: number;
  /** Σ_pruned layers (numel − pruned) + Σ_other layers numel (the authors' accounting). */
  remainingParameters: number;
  /** 1 − remaining/total (the authors' `pruned_parameter_ratio`). */
  prunedParameterRatio: number;
  /** Fraction of the entries of the pruned layers that were pruned. */
  pruningRatio: number;
  /** ‖x_pruned‖₂/‖x‖₂ over all pruned layers together, in centred coordinates. */
  relativeError: number;
}

/** The centre of a layer and its centred entries (f64). */
export function centred(
  x: Samples,
  centring: Centring = "median",
): { centre: number; x: Float64Array } {
  const centre = centring === "median" ? fastMedian(x) : 0;
  const out = new Float64Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = x[i] - centre;
  return { centre, x: out };
}

function squares(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = x[i] * x[i];
  return out;
}

/** Index of the first element ≥ t in an ascending array. */
function lowerBound(sorted: Float64Array, t: number): number {
  let [lo, hi] = [0, sorted.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Masks of the `count` smallest squares over the concatenation of `parts` (ties at the threshold
 * broken by position in the concatenation); `sortedAll` is all squares in ascending order.
 */
function smallestMasks(
  parts: Float64Array[],
  sortedAll: Float64Array,
  count: number,
): Uint8Array[] {
  const masks = parts.map((p) => new Uint8Array(p.length));
  if (count === 0) return masks;
  const t = sortedAll[count - 1];
  let ties = count - lowerBound(sortedAll, t);
  parts.forEach((p, l) => {
    const mask = masks[l];
    for (let i = 0; i < p.length; i++) {
      if (p[i] < t) mask[i] = 1;
      else if (p[i] === t && ties > 0) {
        mask[i] = 1;
        ties--;
      }
    }
  });
  return masks;
}

function sortedCopy(x: Float64Array): Float64Array {
  return Float64Array.from(x).sort();
}

function concatSorted(parts: Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all.sort();
}

function sumMasked(q: Float64Array, mask: Uint8Array): [number, number] {
  let [removed, total] = [0, 0];
  for (let i = 0; i < q.length; i++) {
    total += q[i];
    if (mask[i]) removed += q[i];
  }
  return [removed, total];
}

function relativeNormDiff(a: Float32Array, b: Float32Array): number {
  let [d, n] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += a[i] * a[i];
  }
  return n > 0 ? Math.sqrt(d / n) : 0;
}

/**
 * Magnitude-prunes the selected layers; inputs are not modified. Returns new weight arrays (the
 * unpruned ones copied), a per-layer report and the authors' accounting.
 */
export function magnitudePrune(layers: WeightLayer[], opts: MagnitudeOptions): MagnitudeResult {
  layers.forEach(validateLayer);
  const rule = validateRule(opts.rule);
  const scope = opts.scope ?? "local";
  if (scope !== "local" && scope !== "global") throw new TypeError(`scope: "${scope}"`);
  const centring = opts.centring ?? "median";
  const prunedValue = opts.prunedValue ?? "zero";
  const selected = prunedLayerSet(layers.length, opts.layers);
  const last = layers.length - 1;

  const centredParts = selected.map((l) => centred(layers[l].data, centring));
  const sq = centredParts.map((c) => squares(c.x));
  const masks = scope === "local"
    ? sq.map((q) => {
      const sorted = sortedCopy(q);
      return smallestMasks([q], sorted, pruneCount(sorted, rule))[0];
    })
    : (() => {
      const sorted = concatSorted(sq);
      return smallestMasks(sq, sorted, pruneCount(sorted, rule));
    })();

  const weights = layers.map((l) => l.data.slice());
  const reports: MagnitudeLayerReport[] = layers.map((l, index) => ({
    index,
    numel: l.data.length,
    pruned: 0,
    modified: false,
    centre: 0,
    relativeError: 0,
    weightRelativeError: 0,
  }));
  let [removedAll, totalAll, prunedEntries, selectedEntries] = [0, 0, 0, 0];
  selected.forEach((l, s) => {
    const mask = masks[s];
    const [removed, total] = sumMasked(sq[s], mask);
    removedAll += removed;
    totalAll += total;
    const pruned = mask.reduce((a, b) => a + b, 0);
    prunedEntries += pruned;
    selectedEntries += mask.length;
    const report = reports[l];
    report.pruned = pruned;
    report.centre = centredParts[s].centre;
    report.relativeError = total > 0 ? Math.sqrt(removed / total) : 0;
    if (l === last && opts.authorsOutputLayerQuirk) return;
    const fill = prunedValue === "zero" ? 0 : centredParts[s].centre;
    const w = weights[l];
    for (let i = 0; i < mask.length; i++) if (mask[i]) w[i] = fill;
    report.modified = true;
    report.weightRelativeError = relativeNormDiff(layers[l].data, w);
  });
  const totalParameters = layers.reduce((s, l) => s + l.data.length, 0);
  return {
    weights,
    layers: reports,
    ...parameterTotals(layers, totalParameters - prunedEntries),
    pruningRatio: selectedEntries > 0 ? prunedEntries / selectedEntries : 0,
    relativeError: totalAll > 0 ? Math.sqrt(removedAll / totalAll) : 0,
  };
}

/**
 * The adaptive rule's prunable fraction of a vector: (number of smallest-|x| entries that can be
 * pruned with ‖x_pruned‖₂/‖x‖₂ ≤ ε) / n, after optional median centring. For iid Gaussian entries
 * this tends to `gaussianPrunableFraction(ε)` (≈ 0.2655 at ε = 0.1), and heavier tails raise it.
 */
export function prunableFraction(
  x: Samples,
  epsilon: number,
  opts: { centring?: Centring } = {},
): number {
  if (x.length === 0) return 0;
  const sorted = squares(centred(x, opts.centring ?? "median").x).sort();
  return pruneCount(sorted, validateRule({ kind: "error", epsilon })) / x.length;
}
