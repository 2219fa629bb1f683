/**
 * fig:width — pruning ratio (mce 0.1), pruned test accuracy and the heavy-tailed gain over SGD
 * against the width n, at the reference α. Claim (2306.08125): compressibility is a wide-network
 * effect, so the gain of heavy-tailed SGD over SGD grows with n.
 */
import { errorBar, formatSummary, summaryColumns } from "../common/mean_sd.ts";
import {
  aggregateRuns,
  gainsByWidth,
  type GainStats,
  groupCsvRow,
  type GroupStats,
  pairedGains,
} from "../common/run_stats.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { settingLine, widthVerdict } from "../common/claims.ts";
import { headlineLines, PAPER_HEADLINE } from "../common/headline.ts";
import type { DatasetPreset } from "../common/presets.ts";
import { datasetNotes, errorBarNote, panel, seriesLabel } from "../common/style.ts";
import { METHODS, runAll, widthSweepDatasets, widthSweepRuns } from "../common/figure_runs.ts";
import { dataLine, provenanceLine, publishSection } from "./section.ts";
import { prunedFields, pruningPanels, refAlphaSeries } from "./sweep_panels.ts";

export const NAME = "fig_width";
export const TITLE = "Pruning ratio and heavy-tailed gain vs width n";
export const CLAIM = "The compressibility from heavy-tailed noise is a wide-network effect: the " +
  "gain in mce pruning ratio of heavy-tailed SGD over plain SGD grows with the number of hidden " +
  "units n (the theory takes n → ∞).";

function datasetPanels(
  ds: DatasetPreset,
  stats: GroupStats[],
  gains: GainStats[],
  domain: string[],
) {
  const rows = stats.filter((g) => g.dataset === ds.id && g.pruningRatio.n > 0).map((g) => ({
    series: seriesLabel(g.method, g.alpha),
    width: g.width,
    ...prunedFields(g),
  }));
  const gainRows = gains.filter((g) => g.dataset === ds.id && g.gain.n > 0).map((g) => ({
    series: seriesLabel(g.method, g.alpha),
    width: g.width,
    gain: g.gain.mean,
    gainSd: errorBar(g.gain),
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
    ...pruningPanels({ ...common, rows }, ds, { subtitles: [`σ = ${ds.sigma}`, "no retraining"] }),
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
  for (const ds of widthSweepDatasets(ctx.preset)) {
    const parts: string[] = [];
    for (const method of METHODS.slice(1)) {
      const g = gainsByWidth(gains, ds, method);
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
  const datasets = widthSweepDatasets(ctx.preset);
  const domain = refAlphaSeries(datasets);
  const panels = datasets.flatMap((ds) => datasetPanels(ds, stats, gains, domain));
  const csvRows = stats.map((g) => {
    const gain = gains.find((x) =>
      x.dataset === g.dataset && x.width === g.width && x.method === g.method && x.alpha === g.alpha
    );
    const gainColumns = gain ? summaryColumns("gainOverSgdPp", gain.gain) : {};
    return {
      ...groupCsvRow(g, ["pruningRatio", "prunedTestAcc", "testAcc"], gainColumns),
    };
  });
  const trend = trendLines(ctx, gains);
  return publishSection(ctx, {
    name: NAME,
    title: TITLE,
    claim: CLAIM,
    paper: "The theory is asymptotic in the width: heavy-tailed noise makes the n columns of " +
      "the first layer iid heavy-tailed as n → ∞, and only then is the layer compressible, so " +
      "the gain over SGD should grow with n. The widths the paper's own figures use, and their " +
      `values, are not known to us. For scale: ${PAPER_HEADLINE}`,
    paperRef: "growth with n stated by the theory (n → ∞); no width sweep values published",
    setting: settingLine(ctx, datasets).replace(/, n = \d+/g, "") +
      ` · widths ${[...new Set(datasets.flatMap((d) => d.widths))].join(", ")}`,
    verdict: widthVerdict(ctx, datasets, gains),
    figure: {
      title: TITLE,
      subtitle: "One hidden layer; heavy-tailed runs at the reference α; mce pruning at 10% " +
        "squared Frobenius error, no retraining.",
      caption: [
        `Gain = pruning ratio of the heavy-tailed run minus that of the SGD run with the same ` +
        `seed and width. ${errorBarNote(ctx.seeds)}`,
        ...datasetNotes(datasets),
      ],
      columns: 3,
      panels,
    },
    csvRows,
    runs: rows,
    ours: [
      ...trend,
      ...headlineLines(ctx.preset, stats),
      provenanceLine(ctx),
      dataLine(NAME, true),
    ],
    summary: trend,
  });
}
