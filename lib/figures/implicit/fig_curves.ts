/**
 * fig:curves — test accuracy after pruning a fixed fraction of hidden units (smallest norms first,
 * no retraining) for SGD and heavy-tailed SGD at the reference α, one panel per dataset (the
 * authors' `parameter_ratio` curves). Claim: heavy-tailed runs keep their accuracy to higher
 * pruning fractions.
 */
import { formatSummary } from "../common/summary.ts";
import { updateReport } from "../common/report.ts";
import { curvesVerdict, settingLine } from "../common/claims.ts";
import { aggregateCurves, type CurveStats, summaryColumns } from "../common/aggregate.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import type { DatasetPreset } from "../common/presets.ts";
import { writePanelFigure } from "../common/panels.ts";
import { runsCsv } from "../common/runs_csv.ts";
import {
  errorBarNote,
  panel,
  provenance,
  provenanceColumns,
  seriesLabel,
} from "../common/style.ts";
import { curveRuns, METHODS, runAll } from "../common/sweep.ts";

export const NAME = "fig_curves";
export const TITLE = "Test accuracy vs fraction of hidden units pruned";
export const CLAIM = "Networks trained with heavy-tailed SGD tolerate pruning better: removing " +
  "the same fraction of smallest-norm hidden units (no retraining) costs them less test accuracy " +
  "than it costs the SGD-trained network.";

/** Fractions (in %) quoted in the report. */
const QUOTED = [50, 80];

function nearest(points: CurveStats[], pct: number): CurveStats | undefined {
  return [...points].sort((a, b) => Math.abs(a.pruned - pct) - Math.abs(b.pruned - pct))[0];
}

export function curveLines(
  ctx: FigureContext,
  curves: CurveStats[],
  datasets: DatasetPreset[] = ctx.preset.datasets,
  units = "n",
): string[] {
  return datasets.map((ds) => {
    const parts = METHODS.map((m) => {
      const pts = curves.filter((c) => c.dataset === ds.id && c.method === m);
      if (pts.length === 0) return undefined;
      const at = QUOTED.map((q) => nearest(pts, q)).filter((p) => p !== undefined).map((p) =>
        `${formatSummary(p.testAcc)}% at ${p.pruned.toFixed(0)}%`
      );
      return `${seriesLabel(m, pts[0].alpha)}: ${at.join(", ")}`;
    }).filter((p) => p !== undefined);
    return `${ds.label}, ${units} = ${ds.width}, test accuracy after pruning: ${parts.join("; ")}.`;
  });
}

/** Plot rows of accuracy-vs-fraction-pruned curves: one point per (series, fraction). */
export function curvePlotRows(curves: CurveStats[]): Record<string, unknown>[] {
  return curves.map((c) => ({
    series: seriesLabel(c.method, c.alpha),
    pruned: c.pruned,
    testAcc: c.testAcc.mean,
    testAccSd: c.testAcc.n > 1 ? c.testAcc.sd : null,
  }));
}

export async function figCurves(ctx: FigureContext): Promise<FigureOutcome> {
  const rows = await runAll(ctx, curveRuns(ctx.preset, ctx.seeds));
  const curves = aggregateCurves(rows);
  const refAlphas = [...new Set(ctx.preset.datasets.map((d) => d.refAlpha))];
  const domain = [
    seriesLabel("SGD"),
    ...refAlphas.flatMap((a) => METHODS.slice(1).map((m) => seriesLabel(m, a))),
  ];
  const panels = ctx.preset.datasets.map((ds) =>
    panel({
      rows: curvePlotRows(curves.filter((c) => c.dataset === ds.id && c.testAcc.n > 0)),
      x: "pruned",
      y: "testAcc",
      yErr: "testAccSd",
      series: "series",
      seriesLabel: "Training",
      xLabel: "Hidden units pruned, smallest ℓ2 norm first (%)",
      yLabel: "Test accuracy after pruning (%)",
      title: ds.label,
      subtitle: `n = ${ds.width}, σ = ${ds.sigma}, no retraining`,
      domain,
    })
  );
  const csvRows = curves.map((c) => ({
    dataset: c.dataset,
    width: c.width,
    method: c.method,
    alpha: c.alpha,
    prunedPct: c.pruned,
    ...summaryColumns("testAcc", c.testAcc),
    ...summaryColumns("trainAcc", c.trainAcc),
    ...provenanceColumns(ctx),
  }));
  const paths = await writePanelFigure(ctx.outDir, NAME, {
    title: TITLE,
    subtitle: "One hidden layer; the ⌊f·n⌋ hidden units with the smallest incoming-weight norms " +
      "are zeroed; accuracy on the full test split.",
    caption: [
      `${errorBarNote(ctx.seeds)} 0% is the unpruned network.`,
      ...ctx.preset.datasets.map((ds) => `${ds.label}: ${ds.note}.`),
      provenance(ctx),
    ],
    columns: Math.min(2, panels.length),
    panels,
  }, { rows: csvRows });
  const runsPath = await runsCsv(ctx, NAME, rows);
  const lines = curveLines(ctx, curves);
  const verdict = curvesVerdict(ctx, ctx.preset.datasets, curves);
  await updateReport(ctx.outDir, {
    name: NAME,
    title: TITLE,
    part: "2306.08125",
    claim: CLAIM,
    verdict,
    paperRef: "not published (the abstract: robust test performance under pruning)",
    setting: settingLine(ctx, ctx.preset.datasets),
    paper: "The abstract states that the heavy-tailed networks keep a robust test performance " +
      "under pruning. The authors' analysis code can prune a fixed share (0%, 10%, …, 100%) of " +
      "each layer's columns and record the accuracy (docs/papers.md); which of these curves the " +
      "paper shows, and their values, are not known to us.",
    ours: [
      ...lines,
      `${errorBarNote(ctx.seeds)} ${provenance(ctx)}.`,
      `Data: [${NAME}.csv](${NAME}.csv) (per seed: [${NAME}_runs.csv](${NAME}_runs.csv)).`,
    ],
  });
  return {
    name: NAME,
    files: [paths.svg, paths.png, paths.csv, runsPath],
    summary: [`${NAME}: ${verdict.outcome}`, ...lines.map((l) => `  ${l}`)],
  };
}
