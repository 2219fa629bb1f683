/**
 * 2106.03795's synthetic figure, judged: what the authors' notebook shows, the mean pruning ratio
 * per α bin of our layers, and the verdict on those means against the Gaussian limit.
 */
import { SYNTH_KINDS, type SynthKind } from "../../compress/synthetic.ts";
import { judgeFacts, type Verdict } from "../common/verdict.ts";

/** One synthetic layer's fraction prunable at the relative error ε. */
export interface SynthRow {
  kind: SynthKind;
  alpha: number;
  ratio: number;
}

/** The α bins of width 0.05 over (1.75, 2). */
export const BIN_EDGES = [1.75, 1.8, 1.85, 1.9, 1.95, 2.0];

/** The mean ratio of each kind in one α bin (NaN when it is empty). */
export type BinMean = { lo: number; hi: number; count: number } & Record<SynthKind, number>;

function binOf(alpha: number): number {
  for (let b = 0; b < BIN_EDGES.length - 1; b++) if (alpha < BIN_EDGES[b + 1]) return b;
  return BIN_EDGES.length - 2;
}

/** Mean ratio per α bin and kind (NaN for empty bins), bins in increasing α. */
export function binMeans(rows: SynthRow[]): BinMean[] {
  return BIN_EDGES.slice(0, -1).map((lo, b) => {
    const inBin = rows.filter((r) => binOf(r.alpha) === b);
    const mean = (kind: SynthKind) => {
      const xs = inBin.filter((r) => r.kind === kind).map((r) => r.ratio);
      return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
    };
    return {
      lo,
      hi: BIN_EDGES[b + 1],
      count: inBin.length / SYNTH_KINDS.length,
      W_ind: mean("W_ind"),
      W_col: mean("W_col"),
      W_lay: mean("W_lay"),
    };
  });
}

/** Read off the authors' rendered figure (docs/papers.md). */
export const SYNTH_AUTHORS =
  "W_ind: ratio ≈ 0.265 at α = 2 rising to ≈ 0.35–0.5 at α ≈ 1.75, noisy; W_col: the same shape, " +
  "slightly less compressible; W_lay: a vertical line at ≈ 0.265 for every α (250 α values, " +
  "N = 250,000, d = 500, ε = 0.1; read off the PNG in the authors' notebook, approximate). A " +
  "NumPy re-implementation of the notebook gives mean ratios (W_ind, W_col, W_lay) of " +
  "(0.453, 0.418, 0.265) " +
  "at α = 1.75, (0.311, 0.278, 0.265) at α = 1.90 and (0.268, 0.281, 0.266) at α = 1.99.";

/** What 2106.03795's synthetic figure shows (the authors' notebook figure B, docs/papers.md). */
export const SYNTH_PAPER_REF = "notebook figure: W_ind, W_col ≈ 0.265 at α = 2 → ≈ 0.35–0.5 at " +
  "α ≈ 1.75; W_lay ≈ 0.265 for every α";

export const SYNTH_CRITERION = "W_ind and W_col: mean ratio in the lowest α bin − in the highest " +
  "≥ 0.05 (the notebook's rise is ≈ 0.1–0.2; a fall goes against the claim); W_lay: every bin " +
  "mean within 0.01 of the Gaussian value (more than 0.03 away goes against it).";

/**
 * fig_synthetic: the verdict from the per-α-bin mean ratios (bins in increasing α) and the
 * Gaussian limit; sizes below the authors' (N = 250,000, d = 500, 250 α) are a caveat.
 */
export function synthVerdict(
  means: { W_ind: number; W_col: number; W_lay: number }[],
  gauss: number,
  size: { n: number; d: number; alphas: number },
): Verdict {
  const full = means.filter((m) => Number.isFinite(m.W_ind));
  const lo = full[0];
  const hi = full[full.length - 1];
  const checks: { label: string; ok: boolean | "undecided" }[] = [];
  for (const kind of ["W_ind", "W_col"] as const) {
    const rise = lo && hi ? lo[kind] - hi[kind] : NaN;
    checks.push({
      label: `${kind}: ${hi?.[kind].toFixed(3)} (highest α bin) → ${lo?.[kind].toFixed(3)} ` +
        `(lowest), rise ${rise.toFixed(3)}`,
      ok: !Number.isFinite(rise)
        ? "undecided"
        : rise >= 0.05
        ? true
        : rise < 0
        ? false
        : "undecided",
    });
  }
  const off = Math.max(...full.map((m) => Math.abs(m.W_lay - gauss)));
  checks.push({
    label: `W_lay: largest bin distance to ${gauss.toFixed(3)} is ${off.toFixed(3)}`,
    ok: !Number.isFinite(off) ? "undecided" : off <= 0.01 ? true : off > 0.03 ? false : "undecided",
  });
  const caveats = size.n < 250_000 || size.d < 500 || size.alphas < 250
    ? [`N = ${size.n}, d = ${size.d}, ${size.alphas} α: below the authors' 250,000, 500, 250`]
    : [];
  return judgeFacts(checks, SYNTH_CRITERION, caveats);
}
