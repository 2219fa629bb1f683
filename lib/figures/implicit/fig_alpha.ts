/**
 * fig:alpha — pruning ratio (mce 0.1) and pruned test accuracy against the tail index α, for
 * SGD (a flat reference: it has no α) and heavy-tailed SGD of Types I/II/III, one row of panels
 * per dataset. Claim (2306.08125): heavier tails (smaller α) make the trained network more
 * compressible, at a small cost in accuracy.
 */
import { formatSummary } from "../common/mean_sd.ts";
import {
  aggregateRuns,
  divergedLines,
  groupCsvRow,
  type GroupStats,
  mainWidthGroups,
  pairedGains,
} from "../common/run_stats.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { compressibilityVerdict, settingLine } from "../common/claims.ts";
import { headlineLines, PAPER_HEADLINE, PAPER_REF } from "../common/headline.ts";
import type { DatasetPreset } from "../common/presets.ts";
import { datasetNotes, errorBarNote, seriesLabel } from "../common/style.ts";
import { alphaSweepRuns, runAll } from "../common/figure_runs.ts";
import { dataLine, provenanceLine, publishSection } from "./section.ts";
import {
  methodSeries,
  prunedFields,
  pruningPanels,
  type PruningPanelText,
} from "./sweep_panels.ts";
import type { FigureInput } from "../../plot/figure.ts";

export const NAME = "fig_alpha";
export const TITLE = "Pruning ratio and pruned accuracy vs tail index α";
export const CLAIM =
  "Heavy-tailed noise makes the network compressible: at the same σ, smaller α " +
  "(heavier tails) lets mce pruning at 10% squared Frobenius error remove more hidden units than " +
  "plain SGD (≈10%), with test accuracy after pruning staying close to the unpruned network's.";

/** The rows a dataset's panels plot: HT groups at their α, SGD repeated at every α. */
function alphaPlotRows(ds: DatasetPreset, stats: GroupStats[]): Record<string, unknown>[] {
  return mainWidthGroups(stats, ds).filter((g) => g.pruningRatio.n > 0).flatMap((g) =>
    (g.method === "SGD" ? ds.alphas : [g.alpha as number]).map((alpha) => ({
      series: seriesLabel(g.method),
      alpha,
      ...prunedFields(g),
    }))
  );
}

/** A dataset's pruning-ratio and pruned-accuracy panels against α. */
export function alphaPanels(
  ds: DatasetPreset,
  stats: GroupStats[],
  o: PruningPanelText & { legend?: string[] },
): FigureInput[] {
  const base = {
    rows: alphaPlotRows(ds, stats),
    x: "alpha",
    series: "series",
    seriesLabel: "Training",
    xLabel: "Tail index α of the injected noise (smaller = heavier tails)",
    domain: methodSeries(),
    legend: o.legend,
  };
  return pruningPanels(base, ds, o);
}

function reportLines(ctx: FigureContext, stats: GroupStats[]): string[] {
  return ctx.preset.datasets.flatMap((ds) => {
    const mine = mainWidthGroups(stats, ds);
    const sgd = mine.find((g) => g.method === "SGD");
    const parts = mine.filter((g) => g.method !== "SGD").map((g) =>
      `${g.method} α=${g.alpha}: ${formatSummary(g.pruningRatio)}% → ${
        formatSummary(g.prunedTestAcc)
      }%`
    );
    const lines = [
      `${ds.label}, n = ${ds.width}, σ = ${ds.sigma}: SGD prunes ${
        formatSummary(sgd?.pruningRatio)
      }% of units (test accuracy after pruning ${
        formatSummary(sgd?.prunedTestAcc)
      }%); heavy-tailed (pruned % → pruned test acc %): ${parts.join("; ")}.`,
    ];
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
    return [...lines, ...divergedLines(ds, mine)];
  });
}

/**
 * The α sweep of `datasets` (SGD and each type × α at the main width): its runs, their groups
 * (one CSV row each) and the verdict on them.
 */
export async function alphaSweep(ctx: FigureContext, datasets: DatasetPreset[]) {
  const rows = await runAll(ctx, alphaSweepRuns(ctx.preset, ctx.seeds, datasets));
  const stats = aggregateRuns(rows);
  return {
    rows,
    stats,
    verdict: compressibilityVerdict(ctx, datasets, stats, pairedGains(rows)),
    csvRows: stats.map((g) => groupCsvRow(g)),
  };
}

export async function figAlpha(ctx: FigureContext): Promise<FigureOutcome> {
  const { rows, stats, verdict, csvRows } = await alphaSweep(ctx, ctx.preset.datasets);
  const panels = ctx.preset.datasets.flatMap((ds) =>
    alphaPanels(ds, stats, {
      subtitles: [`n = ${ds.width}, σ = ${ds.sigma}`, `n = ${ds.width}, no retraining`],
    })
  );
  const lines = reportLines(ctx, stats);
  return publishSection(ctx, {
    name: NAME,
    title: TITLE,
    claim: CLAIM,
    paper: PAPER_HEADLINE,
    paperRef: PAPER_REF,
    setting: settingLine(ctx, ctx.preset.datasets),
    verdict,
    figure: {
      title: TITLE,
      subtitle: "One-hidden-layer ReLU network, pruning = zeroing the hidden units with the " +
        "smallest incoming-weight norms while ≤ 10% of ‖W‖²_F is removed; no retraining.",
      caption: [
        `SGD has no α: its value is drawn flat across the α axis. ${errorBarNote(ctx.seeds)}`,
        ...datasetNotes(ctx.preset.datasets),
      ],
      columns: 2,
      panels,
    },
    csvRows,
    runs: rows,
    ours: [
      ...lines,
      ...headlineLines(ctx.preset, stats),
      provenanceLine(ctx),
      dataLine(NAME, true),
    ],
    summary: lines,
  });
}
