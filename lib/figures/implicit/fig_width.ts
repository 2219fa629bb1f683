/**
 * fig:width — pruning ratio (mce 0.1), pruned test accuracy and the heavy-tailed gain over SGD
 * against the width n, at the reference α. Claim (2306.08125): compressibility is a wide-network
 * effect, so the gain of heavy-tailed SGD over SGD grows with n.
 */
import { formatSummary } from "../common/summary.ts";
import { updateReport } from "../common/report.ts";
import {
  aggregateRuns,
  type GainStats,
  type GroupStats,
  pairedGains,
  summaryColumns,
} from "../common/aggregate.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { settingLine, widthVerdict } from "../common/claims.ts";
import { headlineLines, PAPER_HEADLINE } from "../common/headline.ts";
import { writePanelFigure } from "../common/panels.ts";
import type { DatasetPreset } from "../common/presets.ts";
import { runsCsv } from "../common/runs_csv.ts";
import {
  errorBarNote,
  panel,
  provenance,
  provenanceColumns,
  seriesLabel,
} from "../common/style.ts";
import { METHODS, runAll, widthSweepRuns } from "../common/sweep.ts";

export const NAME = "fig_width";
export const TITLE = "Pruning ratio and heavy-tailed gain vs width n";
export const CLAIM = "The compressibility from heavy-tailed noise is a wide-network effect: the " +
  "gain in mce pruning ratio of heavy-tailed SGD over plain SGD grows with the number of hidden " +
  "units n (the theory takes n → ∞).";

const sd = (s: { n: number; sd: number }) => (s.n > 1 ? s.sd : null);

function datasetPanels(
  ds: DatasetPreset,
  stats: GroupStats[],
  gains: GainStats[],
  domain: string[],
) {
  const mine = stats.filter((g) => g.dataset === ds.id && g.pruningRatio.n > 0);
  const rows = mine.map((g) => ({
    series: seriesLabel(g.method, g.alpha),
    width: g.width,
    pruningRatio: g.pruningRatio.mean,
    pruningRatioSd: sd(g.pruningRatio),
    prunedTestAcc: g.prunedTestAcc.mean,
    prunedTestAccSd: sd(g.prunedTestAcc),
  }));
  const gainRows = gains.filter((g) => g.dataset === ds.id && g.gain.n > 0).map((g) => ({
    series: seriesLabel(g.method, g.alpha),
    width: g.width,
    gain: g.gain.mean,
    gainSd: sd(g.gain),
  }));
  const common = {
    x: "width",
    xType: "log" as const,
    series: "series",
    seriesLabel: "Training",
    xLabel: "Hidden units n (log scale)",
    domain,
    xTicks: ds.widths,
  };
  return [
    panel({
      ...common,
      rows,
      y: "pruningRatio",
      yErr: "pruningRatioSd",
      yLabel: "Hidden units pruned at mce 0.1 (%)",
      title: `${ds.label}: pruning ratio`,
      subtitle: `σ = ${ds.sigma}`,
    }),
    panel({
      ...common,
      rows,
      y: "prunedTestAcc",
      yErr: "prunedTestAccSd",
      yLabel: "Test accuracy after pruning (%)",
      title: `${ds.label}: accuracy after pruning`,
      subtitle: "no retraining",
    }),
    panel({
      ...common,
      rows: gainRows,
      y: "gain",
      yErr: "gainSd",
      yLabel: "Pruned units minus SGD's (percentage points)",
      legend: domain.slice(1),
      title: `${ds.label}: gain over SGD`,
      subtitle: "paired by seed",
    }),
  ];
}

/** Per dataset and type: the gain at the smallest and largest n, and whether it grows. */
export function trendLines(ctx: FigureContext, gains: GainStats[]): string[] {
  const lines: string[] = [];
  for (const ds of ctx.preset.datasets) {
    const parts: string[] = [];
    for (const method of METHODS.slice(1)) {
      const g = gains.filter((x) => x.dataset === ds.id && x.method === method && x.gain.n > 0)
        .sort((a, b) => a.width - b.width);
      if (g.length < 2) continue;
      const first = g[0];
      const last = g[g.length - 1];
      const grows = last.gain.mean > first.gain.mean;
      parts.push(
        `${method}: ${formatSummary(first.gain)} pp at n=${first.width} → ${
          formatSummary(last.gain)
        } pp at n=${last.width} (${grows ? "grows" : "does not grow"})`,
      );
    }
    lines.push(`${ds.label}, α = ${ds.refAlpha}, gain over SGD: ${parts.join("; ") || "–"}.`);
  }
  return lines;
}

export async function figWidth(ctx: FigureContext): Promise<FigureOutcome> {
  const rows = await runAll(ctx, widthSweepRuns(ctx.preset, ctx.seeds));
  const stats = aggregateRuns(rows);
  const gains = pairedGains(rows);
  const refAlphas = [...new Set(ctx.preset.datasets.map((d) => d.refAlpha))];
  const domain = [
    seriesLabel("SGD"),
    ...refAlphas.flatMap((a) => METHODS.slice(1).map((m) => seriesLabel(m, a))),
  ];
  const panels = ctx.preset.datasets.flatMap((ds) => datasetPanels(ds, stats, gains, domain));
  const csvRows = stats.map((g) => {
    const gain = gains.find((x) =>
      x.dataset === g.dataset && x.width === g.width && x.method === g.method && x.alpha === g.alpha
    );
    return {
      dataset: g.dataset,
      width: g.width,
      method: g.method,
      alpha: g.alpha,
      sigma: g.sigma,
      ...summaryColumns("pruningRatioPct", g.pruningRatio),
      ...summaryColumns("prunedTestAcc", g.prunedTestAcc),
      ...summaryColumns("testAcc", g.testAcc),
      ...(gain ? summaryColumns("gainOverSgdPp", gain.gain) : {}),
      diverged: g.diverged,
      ...provenanceColumns(ctx),
    };
  });
  const paths = await writePanelFigure(ctx.outDir, NAME, {
    title: TITLE,
    subtitle: "One hidden layer; heavy-tailed runs at the reference α; mce pruning at 10% " +
      "squared Frobenius error, no retraining.",
    caption: [
      `Gain = pruning ratio of the heavy-tailed run minus that of the SGD run with the same seed ` +
      `and width. ${errorBarNote(ctx.seeds)}`,
      ...ctx.preset.datasets.map((ds) => `${ds.label}: ${ds.note}.`),
      provenance(ctx),
    ],
    columns: 3,
    panels,
  }, { rows: csvRows });
  const runsPath = await runsCsv(ctx, NAME, rows);
  const trend = trendLines(ctx, gains);
  const verdict = widthVerdict(ctx, ctx.preset.datasets, gains);
  await updateReport(ctx.outDir, {
    name: NAME,
    title: TITLE,
    part: "2306.08125",
    claim: CLAIM,
    verdict,
    paperRef: "growth with n stated by the theory (n → ∞); no width sweep values published",
    setting: settingLine(ctx, ctx.preset.datasets).replace(/, n = \d+/g, "") +
      ` · widths ${[...new Set(ctx.preset.datasets.flatMap((d) => d.widths))].join(", ")}`,
    paper: "The theory is asymptotic in the width: heavy-tailed noise makes the n columns of " +
      "the first layer iid heavy-tailed as n → ∞, and only then is the layer compressible, so " +
      "the gain over SGD should grow with n. The widths the paper's own figures use, and their " +
      `values, are not known to us. For scale: ${PAPER_HEADLINE}`,
    ours: [
      ...trend,
      ...headlineLines(ctx.preset, stats),
      `${errorBarNote(ctx.seeds)} ${provenance(ctx)}.`,
      `Data: [${NAME}.csv](${NAME}.csv) (per seed: [${NAME}_runs.csv](${NAME}_runs.csv)).`,
    ],
  });
  return {
    name: NAME,
    files: [paths.svg, paths.png, paths.csv, runsPath],
    summary: [`${NAME}: ${verdict.outcome}`, ...trend.map((l) => `  ${l}`)],
  };
}
