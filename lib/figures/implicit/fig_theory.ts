/**
 * fig:theory (ILLUSTRATIVE, not a figure of the paper; docs/papers.md §A.9) — the relative
 * Frobenius error ‖X − X_κn‖_F / ‖X‖_F of keeping only the κn largest-norm columns of n iid noise
 * columns of each type, against n. For α < 2 it falls as n grows (iid heavy-tailed columns are
 * compressible, Gribonval et al. 2012: the mechanism the paper relies on); for α = 2 (Gaussian)
 * the column norms concentrate and the error stays near √(1 − κ).
 */
import { errorBar, groupSummaries, type Summary, summaryColumns } from "../common/mean_sd.ts";
import { theoryVerdict } from "../common/claims.ts";
import { compressibilityVsWidth, type TheoryPoint } from "../../pipelines/theory.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { errorBarNote, panel } from "../common/style.ts";
import { METHODS } from "../common/figure_runs.ts";
import { dataLine, provenanceLine, publishSection } from "./section.ts";

export const NAME = "fig_theory";
export const TITLE = "Illustrative: compressibility of iid heavy-tailed columns vs n";
export const CLAIM = "Illustrative, not a figure of the paper. The mechanism behind the paper: " +
  "when the n columns are iid heavy-tailed (α < 2), keeping only the κn largest-norm columns " +
  "loses a share of the Frobenius norm that shrinks as n grows (slowly: roughly like " +
  "n^(1/2 − 1/α)); for Gaussian columns (α = 2) it does not shrink (√(1 − κ) if all norms were " +
  "equal; lower for Type I, whose columns are one scalar times the all-ones vector).";

const alphaLabel = (a: number) => (a === 2 ? "α=2 (Gaussian)" : `α=${a}`);
export const LIMIT_LABEL = "√(1−κ) (equal norms)";

export interface TheoryStat {
  type: number;
  alpha: number;
  n: number;
  kappa: number;
  /** The relative error over the draws. */
  relError: Summary;
}

export function summariseTheory(points: TheoryPoint[]): TheoryStat[] {
  return groupSummaries(points, (p) => `${p.type}|${p.alpha}|${p.n}|${p.kappa}`, {
    e: (p) => p.relError,
  }).map(({ first, stats }) => ({
    type: first.type,
    alpha: first.alpha,
    n: first.n,
    kappa: first.kappa,
    relError: stats.e,
  }));
}

type TheoryPreset = FigureContext["preset"]["theory"];

/** One panel per (noise type, κ): relative error vs n per α, and the equal-norm limit. */
function theoryPanels(t: TheoryPreset, stats: TheoryStat[]) {
  const domain = [...t.alphas.map(alphaLabel), LIMIT_LABEL];
  return t.types.flatMap((type) =>
    t.kappas.map((kappa) => {
      const rows: Record<string, unknown>[] = stats
        .filter((s) => s.type === type && s.kappa === kappa)
        .map((s) => ({
          series: alphaLabel(s.alpha),
          n: s.n,
          relError: s.relError.mean,
          relErrorSd: errorBar(s.relError),
        }));
      for (const n of t.widths) {
        rows.push({ series: LIMIT_LABEL, n, relError: Math.sqrt(1 - kappa), relErrorSd: null });
      }
      return panel({
        rows,
        x: "n",
        y: "relError",
        yErr: "relErrorSd",
        xType: "log",
        series: "series",
        seriesLabel: "Noise",
        xLabel: "Number of columns n (log scale)",
        yLabel: "‖X − X_κn‖_F / ‖X‖_F (unitless)",
        title: `${METHODS[type]} noise, keep κ = ${kappa}`,
        xTicks: t.widths,
        subtitle: `${t.dim}-dim columns, top ${kappa * 100}% kept`,
        domain,
      });
    })
  );
}

/** Per noise type, the errors at the largest n and smallest κ, against the limit √(1−κ). */
function theoryLines(t: TheoryPreset, stats: TheoryStat[]): string[] {
  const nMax = Math.max(...t.widths);
  const kMin = Math.min(...t.kappas);
  return t.types.map((type) => {
    const at = stats.filter((s) => s.type === type && s.n === nMax && s.kappa === kMin);
    return `${METHODS[type]}, n = ${nMax}, κ = ${kMin}: ` +
      at.map((s) => `${alphaLabel(s.alpha)} ${s.relError.mean.toFixed(3)}`).join(", ") +
      ` (equal-norm limit √(1−κ) = ${Math.sqrt(1 - kMin).toFixed(3)}).`;
  });
}

/** The verdict from each (type, α)'s error at the smallest and largest n (smallest κ). */
function verdictOfStats(t: TheoryPreset, stats: TheoryStat[]) {
  const nMax = Math.max(...t.widths);
  const nMin = Math.min(...t.widths);
  const kMin = Math.min(...t.kappas);
  return theoryVerdict(t.types.flatMap((type) =>
    t.alphas.map((alpha) => {
      const at = (n: number) =>
        stats.find((s) => s.type === type && s.alpha === alpha && s.n === n && s.kappa === kMin)
          ?.relError.mean ?? NaN;
      return { type: METHODS[type], alpha, nMin: at(nMin), nMax: at(nMax) };
    })
  ));
}

export async function figTheory(ctx: FigureContext): Promise<FigureOutcome> {
  const t = ctx.preset.theory;
  const seed = ctx.seeds[0];
  let lastPct = -1;
  ctx.log(
    `[theory] ${t.types.length}×${t.alphas.length}×${t.widths.length} settings × ${t.reps} draws`,
  );
  const points = await compressibilityVsWidth(
    ctx.gpu,
    { ...t, seed },
    (done, total) => {
      const pct = Math.floor((100 * done) / total / 25) * 25;
      if (pct > lastPct) {
        lastPct = pct;
        ctx.log(`[theory] ${done}/${total} draws done`);
      }
    },
  );
  const stats = summariseTheory(points);
  const panels = theoryPanels(t, stats);
  const nMax = Math.max(...t.widths);
  const lines = theoryLines(t, stats);
  const verdict = verdictOfStats(t, stats);
  return publishSection(ctx, {
    name: NAME,
    title: TITLE,
    claim: CLAIM,
    paper: "Not a figure of the paper: the mechanism its Figure 1 sketches. Columns drawn iid " +
      "from a heavy-tailed law are compressible (a few columns carry most of the norm), so the " +
      "error of keeping a fixed share κ of them tends to 0 as n grows for α < 2, and does not " +
      "for Gaussian columns (docs/papers.md).",
    paperRef: "no paper figure (the theory's mechanism, after Gribonval et al. 2012)",
    setting: `preset ${ctx.preset.name} · ${t.reps} draw(s) per point · d = ${t.dim} · n up to ` +
      `${nMax} · ${ctx.adapter}`,
    verdict,
    figure: {
      title: `${TITLE} (ILLUSTRATIVE — not a paper figure)`,
      subtitle: "Columns = rows of the training noise sampler's n×d draw (unit scale), exactly " +
        "what one step of Type I/II/III injects; the κn largest-norm columns are kept.",
      caption: [
        `${t.reps} independent draw(s) per point (sampler seed ${seed}); ${
          errorBarNote(Array.from({ length: t.reps }, (_, i) => i)).replace("seeds", "draws")
        } Reference series: √(1−κ), the error if all columns had equal norms.`,
      ],
      columns: t.kappas.length,
      panels,
    },
    csvRows: stats.map((s) => ({
      type: METHODS[s.type],
      alpha: s.alpha,
      n: s.n,
      kappa: s.kappa,
      ...summaryColumns("relError", s.relError),
      dim: t.dim,
      samplerSeed: seed,
    })),
    ours: [
      ...lines,
      provenanceLine(
        ctx,
        `${t.reps} draw(s) per point, d = ${t.dim}, widths ${t.widths.join(", ")}.`,
      ),
      dataLine(NAME, false),
    ],
    summary: lines,
    heading: `${NAME} (illustrative): ${verdict.outcome}`,
  });
}
