/**
 * Singular-value pruning of 2106.03795 (docs/papers.md §B.5; the authors' `svd.py` +
 * `spectral_pruning.py`). A layer is centred by the per-column median (each column minus its
 * median over the rows), decomposed C = U·diag(s)·Vᵀ, and for a ratio r the
 *   k = len(s) − ⌊len(s)·r⌋
 * leading singular values are kept: W' = U_k·diag(s_k)·V_kᵀ + medians. The dropped part has
 * ‖C − C_k‖_F² = Σ_{i≥k} s_i² (Eckart–Young), reported as
 * `relativeError` = √(Σ_{i≥k} s_i² / Σ s_i²).
 *
 * Orientation: the authors decompose every layer as stored, except the output layer, which they
 * handle transposed (in×out), so its "per-column" medians are the medians of the rows of the
 * stored out×in matrix. `spectralPrune` does the same by default (`centring: "authors"`).
 *
 * Parameter accounting (`accounting`):
 * - "authors" (default): k·(rows + cols), the two rank-k factors (the k singular values are
 *   folded in and the medians not counted). At r = 0 this is about 2× the dense size, so
 *   `prunedParameterRatio` is negative until k < rows·cols/(rows + cols) (r > 0.5 when square);
 * - "rank": k·(rows + cols − k), the dimension of the set of rank-k matrices, which equals
 *   rows·cols at full rank (ratio 0 at r = 0);
 * - "storage": min(k·(rows + cols), rows·cols), whichever of factors or dense is smaller.
 *
 * Where the authors' code differs from the intent: a pruned output layer is really modified by
 * default; `authorsOutputLayerQuirk: true` leaves it untouched while counting it as pruned (their
 * transposed view is rebound instead of written, docs/papers.md §B.6).
 */
import { gramSvd } from "./gram_svd.ts";
import {
  fastMedian,
  floorRatio,
  parameterTotals,
  prunedLayerSet,
  validateLayer,
  type WeightLayer,
} from "./layers.ts";
import { type Svd, svd } from "./svd.ts";

/**
 * "jacobi": exact one-sided Jacobi (svd.ts); "gram": via the Gram matrix (gram_svd.ts, fast);
 * "auto" (default): Jacobi when min(rows, cols) ≤ 256, else Gram.
 */
export type SvdMethod = "jacobi" | "gram" | "auto";
/** Which medians to subtract: of each column, of each row, none. */
export type CentreAxis = "columns" | "rows" | "none";
export type SpectralAccounting = "authors" | "rank" | "storage";

export const AUTO_JACOBI_MAX = 256;

/** A centred layer's SVD: W = U·diag(s)·Vᵀ + centre (broadcast along `axis`). */
export interface LayerSvd {
  rows: number;
  cols: number;
  axis: CentreAxis;
  /** Medians: `cols` values for "columns", `rows` for "rows", none for "none". */
  centre: Float64Array;
  svd: Svd;
}

function centreOf(w: ArrayLike<number>, rows: number, cols: number, axis: CentreAxis) {
  if (axis === "none") return new Float64Array(0);
  const [count, len] = axis === "columns" ? [cols, rows] : [rows, cols];
  const out = new Float64Array(count);
  const buf = new Float64Array(len);
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < len; i++) buf[i] = axis === "columns" ? w[i * cols + c] : w[c * cols + i];
    out[c] = fastMedian(buf);
  }
  return out;
}

function centreAt(ls: { axis: CentreAxis; centre: Float64Array; cols: number }, idx: number) {
  if (ls.axis === "none") return 0;
  return ls.axis === "columns" ? ls.centre[idx % ls.cols] : ls.centre[Math.floor(idx / ls.cols)];
}

/** Centres `layer` along `axis` and decomposes it (the authors' `get_svd`). */
export function layerSvd(
  layer: WeightLayer,
  opts: { axis?: CentreAxis; method?: SvdMethod } = {},
): LayerSvd {
  validateLayer(layer, 0);
  const { rows, cols, data } = layer;
  const axis = opts.axis ?? "columns";
  const centre = centreOf(data, rows, cols, axis);
  const c = new Float64Array(rows * cols);
  const ls = { axis, centre, cols };
  for (let i = 0; i < c.length; i++) c[i] = data[i] - centreAt(ls, i);
  const method = opts.method ?? "auto";
  const useJacobi = method === "jacobi" ||
    (method === "auto" && Math.min(rows, cols) <= AUTO_JACOBI_MAX);
  return { rows, cols, axis, centre, svd: useJacobi ? svd(c, rows, cols) : gramSvd(c, rows, cols) };
}

/** k = len(s) − ⌊len(s)·ratio⌋, the number of singular values kept. */
export function keptSingularValues(len: number, ratio: number): number {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`ratio: ${ratio} must be in [0, 1]`);
  return len - floorRatio(ratio, len);
}

/** Parameters of a rank-k rows×cols layer under an accounting convention (module comment). */
export function spectralParameters(
  rows: number,
  cols: number,
  k: number,
  accounting: SpectralAccounting = "authors",
): number {
  switch (accounting) {
    case "authors":
      return k * (rows + cols);
    case "rank":
      return k * (rows + cols - k);
    case "storage":
      return Math.min(k * (rows + cols), rows * cols);
    default:
      throw new TypeError(`accounting: "${accounting}" is not authors, rank or storage`);
  }
}

/** √(Σ_{i≥k} s_i² / Σ s_i²): the relative Frobenius error of keeping k values (centred). */
export function droppedEnergy(s: Float64Array, k: number): number {
  let [dropped, total] = [0, 0];
  for (let i = 0; i < s.length; i++) {
    total += s[i] * s[i];
    if (i >= k) dropped += s[i] * s[i];
  }
  return total > 0 ? Math.sqrt(dropped / total) : 0;
}

/**
 * U_k·diag(s_k)·V_kᵀ + centre as f32. With the layer's own weights given as `original`, and
 * k > len/2, it is computed as original − Σ_{i≥k} s_i·u_i·v_iᵀ instead (equal to rounding), so
 * the cost is O(rows·cols·min(k, len − k)).
 */
export function spectralReconstruct(
  ls: LayerSvd,
  k: number,
  original?: ArrayLike<number>,
): Float32Array {
  const { rows, cols, svd: d } = ls;
  if (!Number.isInteger(k) || k < 0 || k > d.k) {
    throw new RangeError(`k: ${k} must be an integer in [0, ${d.k}]`);
  }
  if (original !== undefined && original.length !== rows * cols) {
    throw new RangeError(`original: ${original.length} values do not fill ${rows}×${cols}`);
  }
  const fromTop = original === undefined || k <= d.k - k;
  const acc = new Float64Array(rows * cols);
  const [lo, hi, sign] = fromTop ? [0, k, 1] : [k, d.k, -1];
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let r = lo; r < hi; r++) {
      const c = sign * d.u[i * d.k + r] * d.s[r];
      if (c === 0) continue;
      const v = r * cols;
      for (let j = 0; j < cols; j++) acc[row + j] += c * d.vt[v + j];
    }
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) {
    out[i] = fromTop ? acc[i] + centreAt(ls, i) : original![i] + acc[i];
  }
  return out;
}

export interface SpectralOptions {
  /** Pruning ratio r in [0, 1]: k = len(s) − ⌊len(s)·r⌋ values are kept. */
  ratio: number;
  /** Indices of the layers to prune (default: all, the output layer included). */
  layers?: readonly number[];
  /**
   * "authors" (default): per-column medians, except per-row medians for the last layer (the
   * authors' transposed orientation); or one axis for every layer.
   */
  centring?: "authors" | CentreAxis;
  method?: SvdMethod;
  accounting?: SpectralAccounting;
  authorsOutputLayerQuirk?: boolean;
  /** Precomputed `layerSvd` per layer index (e.g. one SVD reused over a grid of ratios). */
  svds?: (LayerSvd | undefined)[];
}

export interface SpectralLayerReport {
  index: number;
  rows: number;
  cols: number;
  /** Singular values kept (min(rows, cols) for unpruned layers). */
  kept: number;
  /** Parameters under the chosen accounting (rows·cols for unpruned layers). */
  parameters: number;
  modified: boolean;
  /** √(dropped energy / total) of the centred layer. */
  relativeError: number;
}

export interface SpectralResult {
  weights: Float32Array[];
  layers: SpectralLayerReport[];
  totalParameters: number;
  remainingParameters: number;
  /** 1 − remaining/total; negative when the factors cost more than the dense layers. */
  prunedParameterRatio: number;
}

/** The centring axis `spectralPrune` uses for layer `index` of `count`. */
export function spectralAxis(
  centring: SpectralOptions["centring"],
  index: number,
  count: number,
): CentreAxis {
  const c = centring ?? "authors";
  if (c === "authors") return index === count - 1 && count > 1 ? "rows" : "columns";
  return c;
}

/** Singular-value-prunes the selected layers (inputs unchanged); see the module comment. */
export function spectralPrune(layers: WeightLayer[], opts: SpectralOptions): SpectralResult {
  layers.forEach(validateLayer);
  const selected = new Set(prunedLayerSet(layers.length, opts.layers));
  const accounting = opts.accounting ?? "authors";
  const last = layers.length - 1;
  const reports: SpectralLayerReport[] = [];
  const weights = layers.map((layer, index) => {
    const { rows, cols, data } = layer;
    const full = Math.min(rows, cols);
    if (!selected.has(index)) {
      reports.push({
        index,
        rows,
        cols,
        kept: full,
        parameters: rows * cols,
        modified: false,
        relativeError: 0,
      });
      return data.slice();
    }
    const axis = spectralAxis(opts.centring, index, layers.length);
    const ls = opts.svds?.[index] ?? layerSvd(layer, { axis, method: opts.method });
    if (ls.rows !== rows || ls.cols !== cols || ls.axis !== axis) {
      throw new RangeError(`svds[${index}] does not match layer ${index} (shape or centring)`);
    }
    const k = keptSingularValues(ls.svd.k, opts.ratio);
    const skip = index === last && opts.authorsOutputLayerQuirk === true;
    reports.push({
      index,
      rows,
      cols,
      kept: k,
      parameters: spectralParameters(rows, cols, k, accounting),
      modified: !skip,
      relativeError: droppedEnergy(ls.svd.s, k),
    });
    return skip ? data.slice() : spectralReconstruct(ls, k, data);
  });
  return {
    weights,
    layers: reports,
    ...parameterTotals(layers, reports.reduce((s, r) => s + r.parameters, 0)),
  };
}
