/**
 * fig:curves — test accuracy after pruning a fixed fraction of hidden units (smallest norms first,
 * no retraining) for SGD and heavy-tailed SGD at the reference α, one panel per dataset (the
 * authors' `parameter_ratio` curves). Claim: heavy-tailed runs keep their accuracy to higher
 * pruning fractions.
 */
import { errorBar, formatSummary, summaryColumns } from "../common/mean_sd.ts";
import { curvesVerdict, settingLine } from "../common/claims.ts";
import { aggregateCurves, type CurveStats } from "../common/run_stats.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import type { DatasetPreset } from "../common/presets.ts";
import {
  datasetNotes,
  errorBarNote,
  panel,
  type PanelOptions,
  PRUNED_ACC_LABEL,
  seriesLabel,
} from "../common/style.ts";
import { curveRuns, METHODS, runAll } from "../common/figure_runs.ts";
import type { FigureInput } from "../../plot/figure.ts";
import { dataLine, provenanceLine, publishSection } from "./section.ts";
import { refAlphaSeries } from "./sweep_panels.ts";

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
function curvePlotRows(curves: CurveStats[]): Record<string, unknown>[] {
  return curves.map((c) => ({
    series: seriesLabel(c.method, c.alpha),
    pruned: c.pruned,
    testAcc: c.testAcc.mean,
    testAccSd: errorBar(c.testAcc),
  }));
}

/** A panel of test accuracy against the share pruned, one line per series of `curves`. */
export function curvePanel(
  o: Pick<PanelOptions, "xLabel" | "title" | "subtitle" | "domain" | "legend"> & {
    curves: CurveStats[];
  },
): FigureInput {
  const { curves, ...rest } = o;
  return panel({
    rows: curvePlotRows(curves),
    x: "pruned",
    y: "testAcc",
    yErr: "testAccSd",
    series: "series",
    seriesLabel: "Training",
    yLabel: PRUNED_ACC_LABEL,
    ...rest,
  });
}

export async function figCurves(ctx: FigureContext): Promise<FigureOutcome> {
  const rows = await runAll(ctx, curveRuns(ctx.preset, ctx.seeds));
  const curves = aggregateCurves(rows);
  const domain = refAlphaSeries(ctx.preset.datasets);
  const panels = ctx.preset.datasets.map((ds) =>
    curvePanel({
      curves: curves.filter((c) => c.dataset === ds.id && c.testAcc.n > 0),
      xLabel: "Hidden units pruned, smallest ℓ2 norm first (%)",
      title: ds.label,
      subtitle: `n = ${ds.width}, σ = ${ds.sigma}, no retraining`,
      domain,
    })
  );
  const lines = curveLines(ctx, curves);
  return publishSection(ctx, {
    name: NAME,
    title: TITLE,
    claim: CLAIM,
    paper: "The abstract states that the heavy-tailed networks keep a robust test performance " +
      "under pruning. The authors' analysis code can prune a fixed share (0%, 10%, …, 100%) of " +
      "each layer's columns and record the accuracy (docs/papers.md); which of these curves the " +
      "paper shows, and their values, are not known to us.",
    paperRef: "not published (the abstract: robust test performance under pruning)",
    setting: settingLine(ctx, ctx.preset.datasets),
    verdict: curvesVerdict(ctx, ctx.preset.datasets, curves),
    figure: {
      title: TITLE,
      subtitle: "One hidden layer; the ⌊f·n⌋ hidden units with the smallest incoming-weight " +
        "norms are zeroed; accuracy on the full test split.",
      caption: [
        `${errorBarNote(ctx.seeds)} 0% is the unpruned network.`,
        ...datasetNotes(ctx.preset.datasets),
      ],
      columns: Math.min(2, panels.length),
      panels,
    },
    csvRows: curves.map((c) => ({
      dataset: c.dataset,
      width: c.width,
      method: c.method,
      alpha: c.alpha,
      prunedPct: c.pruned,
      ...summaryColumns("testAcc", c.testAcc),
      ...summaryColumns("trainAcc", c.trainAcc),
    })),
    runs: rows,
    ours: [...lines, provenanceLine(ctx), dataLine(NAME, true)],
    summary: lines,
  });
}
