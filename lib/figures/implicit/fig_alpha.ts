/**
 * fig:alpha — pruning ratio (mce 0.1) and pruned test accuracy against the tail index α, for
 * SGD (a flat reference: it has no α) and heavy-tailed SGD of Types I/II/III, one row of panels
 * per dataset. Claim (2306.08125): heavier tails (smaller α) make the trained network more
 * compressible, at a small cost in accuracy.
 */
import { formatSummary } from "../common/summary.ts";
import { updateReport } from "../common/report.ts";
import { aggregateRuns, groupCsvRow, type GroupStats, pairedGains } from "../common/aggregate.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { compressibilityVerdict, settingLine } from "../common/claims.ts";
import { headlineLines, PAPER_HEADLINE, PAPER_REF } from "../common/headline.ts";
import { writePanelFigure } from "../common/panels.ts";
import type { DatasetPreset } from "../common/presets.ts";
import {
  errorBarNote,
  panel,
  provenance,
  provenanceColumns,
  seriesLabel,
} from "../common/style.ts";
import { alphaSweepRuns, METHODS, runAll, type RunRow } from "../common/sweep.ts";
import { runsCsv } from "../common/runs_csv.ts";

export const NAME = "fig_alpha";
export const TITLE = "Pruning ratio and pruned accuracy vs tail index α";
export const CLAIM =
  "Heavy-tailed noise makes the network compressible: at the same σ, smaller α " +
  "(heavier tails) lets mce pruning at 10% squared Frobenius error remove more hidden units than " +
  "plain SGD (≈10%), with test accuracy after pruning staying close to the unpruned network's.";

/** The rows a dataset's panels plot: HT groups at their α, SGD repeated at every α. */
export function alphaPlotRows(ds: DatasetPreset, stats: GroupStats[]): Record<string, unknown>[] {
  const mine = stats.filter((g) => g.dataset === ds.id && g.width === ds.width);
  const out: Record<string, unknown>[] = [];
  for (const g of mine) {
    if (g.pruningRatio.n === 0) continue;
    const alphas = g.method === "SGD" ? ds.alphas : [g.alpha as number];
    for (const alpha of alphas) {
      out.push({
        series: seriesLabel(g.method),
        alpha,
        pruningRatio: g.pruningRatio.mean,
        pruningRatioSd: g.pruningRatio.n > 1 ? g.pruningRatio.sd : null,
        prunedTestAcc: g.prunedTestAcc.mean,
        prunedTestAccSd: g.prunedTestAcc.n > 1 ? g.prunedTestAcc.sd : null,
      });
    }
  }
  return out;
}

function reportLines(ctx: FigureContext, stats: GroupStats[]): string[] {
  const lines: string[] = [];
  for (const ds of ctx.preset.datasets) {
    const mine = stats.filter((g) => g.dataset === ds.id && g.width === ds.width);
    const sgd = mine.find((g) => g.method === "SGD");
    const parts = mine.filter((g) => g.method !== "SGD").map((g) =>
      `${g.method} α=${g.alpha}: ${formatSummary(g.pruningRatio)}% → ${
        formatSummary(g.prunedTestAcc)
      }%`
    );
    lines.push(
      `${ds.label}, n = ${ds.width}, σ = ${ds.sigma}: SGD prunes ${
        sgd ? formatSummary(sgd.pruningRatio) : "–"
      }% of units (test accuracy after pruning ${
        sgd ? formatSummary(sgd.prunedTestAcc) : "–"
      }%); heavy-tailed (pruned % → pruned test acc %): ${parts.join("; ")}.`,
    );
    const best = mine.filter((g) => g.method !== "SGD" && g.pruningRatio.n > 0)
      .sort((a, b) => b.pruningRatio.mean - a.pruningRatio.mean)[0];
    if (best && sgd) {
      lines.push(
        `${ds.id}: most compressible is ${best.method} α=${best.alpha} with ${
          formatSummary(best.pruningRatio)
        }% vs SGD ${formatSummary(sgd.pruningRatio)}% (unpruned test accuracy ${
          formatSummary(best.testAcc)
        }% vs ${formatSummary(sgd.testAcc)}%).`,
      );
    }
    const diverged = mine.reduce((a, g) => a + g.diverged, 0);
    if (diverged) lines.push(`${ds.id}: ${diverged} run(s) diverged and are left out.`);
  }
  return lines;
}

export async function figAlpha(ctx: FigureContext): Promise<FigureOutcome> {
  const rows: RunRow[] = await runAll(ctx, alphaSweepRuns(ctx.preset, ctx.seeds));
  const stats = aggregateRuns(rows);
  const domain = METHODS.map((m) => seriesLabel(m));
  const panels = ctx.preset.datasets.flatMap((ds) => {
    const plotRows = alphaPlotRows(ds, stats);
    const common = {
      rows: plotRows,
      x: "alpha",
      series: "series",
      seriesLabel: "Training",
      xLabel: "Tail index α of the injected noise (smaller = heavier tails)",
      domain,
    };
    return [
      panel({
        ...common,
        y: "pruningRatio",
        yErr: "pruningRatioSd",
        yLabel: "Hidden units pruned at mce 0.1 (%)",
        title: `${ds.label}: pruning ratio`,
        subtitle: `n = ${ds.width}, σ = ${ds.sigma}`,
      }),
      panel({
        ...common,
        y: "prunedTestAcc",
        yErr: "prunedTestAccSd",
        yLabel: "Test accuracy after pruning (%)",
        title: `${ds.label}: accuracy after pruning`,
        subtitle: `n = ${ds.width}, no retraining`,
      }),
    ];
  });
  const csvRows = stats.map((g) => ({ ...groupCsvRow(g), ...provenanceColumns(ctx) }));
  const paths = await writePanelFigure(ctx.outDir, NAME, {
    title: TITLE,
    subtitle: "One-hidden-layer ReLU network, pruning = zeroing the hidden units with the " +
      "smallest incoming-weight norms while ≤ 10% of ‖W‖²_F is removed; no retraining.",
    caption: [
      `SGD has no α: its value is drawn flat across the α axis. ${errorBarNote(ctx.seeds)}`,
      ...ctx.preset.datasets.map((ds) => `${ds.label}: ${ds.note}.`),
      provenance(ctx),
    ],
    columns: 2,
    panels,
  }, { rows: csvRows });
  const runsPath = await runsCsv(ctx, NAME, rows);
  const ours = [
    ...reportLines(ctx, stats),
    ...headlineLines(ctx.preset, stats),
    `${errorBarNote(ctx.seeds)} ${provenance(ctx)}.`,
    `Data: [${NAME}.csv](${NAME}.csv) (per seed: [${NAME}_runs.csv](${NAME}_runs.csv)).`,
  ];
  const verdict = compressibilityVerdict(ctx, ctx.preset.datasets, stats, pairedGains(rows));
  await updateReport(ctx.outDir, {
    name: NAME,
    title: TITLE,
    part: "2306.08125",
    claim: CLAIM,
    verdict,
    paperRef: PAPER_REF,
    setting: settingLine(ctx, ctx.preset.datasets),
    ours,
    paper: PAPER_HEADLINE,
  });
  return {
    name: NAME,
    files: [paths.svg, paths.png, paths.csv, runsPath],
    summary: [
      `${NAME}: ${verdict.outcome}`,
      ...reportLines(ctx, stats).map((l) => `  ${l}`),
    ],
  };
}
