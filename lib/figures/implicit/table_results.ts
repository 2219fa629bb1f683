/**
 * table:results — per dataset, every run of the α sweep (SGD and each type × α at the main width):
 * train / test accuracy, test accuracy after mce pruning and the pruning ratio, mean ± sd over
 * seeds. Written as Markdown (table_results.md) and CSV, plus a companion figure of pruned test
 * accuracy against pruning ratio (the accuracy–compressibility trade-off of the same rows).
 */
import { join } from "node:path";
import { formatSummary } from "../common/mean_sd.ts";
import { robustSummary } from "../common/robust_summary.ts";
import { COLLAPSE_RULE } from "../common/collapse.ts";
import { scatter } from "../../plot/charts.ts";
import { writeFileAtomic } from "../../store/atomic.ts";
import {
  aggregateRuns,
  groupCsvRow,
  type GroupStats,
  mainWidthGroups,
} from "../common/run_stats.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { settingLine, tableVerdict } from "../common/claims.ts";
import { headlineLines, PAPER_HEADLINE, PAPER_REF } from "../common/headline.ts";
import type { DatasetPreset } from "../common/presets.ts";
import {
  PANEL_HEIGHT,
  PANEL_WIDTH,
  provenance,
  PRUNED_ACC_LABEL,
  seedList,
  seriesLabel,
  withSeriesDomain,
} from "../common/style.ts";
import { alphaSweepRuns, runAll } from "../common/figure_runs.ts";
import { provenanceLine, publishSection } from "./section.ts";
import { methodSeries } from "./sweep_panels.ts";

export const NAME = "table_results";
export const TITLE = "Results table: accuracy, pruned accuracy and pruning ratio";
export const CLAIM = "Across noise types and tail indices, heavy-tailed SGD reaches the same " +
  "training-accuracy target as SGD with similar test accuracy, and its networks can be pruned " +
  "further (higher mce pruning ratio) with a small loss of test accuracy.";

const HEADER = [
  "Training",
  "α",
  "σ",
  "seeds",
  "steps",
  "train acc (%)",
  "test acc (%)",
  "pruned test acc (%)",
  "pruning ratio (%)",
  "pruning ratio median [IQR] (%)",
  "collapsed",
];

function settings(ds: DatasetPreset): string {
  const b = ds.base;
  const limits = b.limitTrain || b.limitTest
    ? `, first ${b.limitTrain ?? "all"} train / ${b.limitTest ?? "all"} test examples`
    : "";
  return `n = ${ds.width}, depth ${b.depth} (one hidden layer), lr ${b.lr}, ` +
    `batch ${b.batchSize}, ` +
    `stop at ${b.convergenceAccuracy}% train accuracy (evaluated every ${b.evalEvery} steps, at ` +
    `most ${b.maxSteps} steps)${limits}`;
}

function seedNote(seeds: number[]): string {
  return seeds.length > 1
    ? `Mean ± sd over up to ${seeds.length} seeds (${seedList(seeds)}; the "seeds" column ` +
      "gives each row's count), and the pruning ratio's median with its inter-quartile range: " +
      "one collapsed seed moves the mean, not the median. Collapsed: " + COLLAPSE_RULE + "."
    : `Single runs (seed ${seeds[0]}).`;
}

/** "median [q1–q3]" over per-seed values ("–" without). */
function medianIqr(values: number[]): string {
  const r = robustSummary(values);
  if (r.n === 0) return "–";
  return r.n > 1
    ? `${r.median.toFixed(1)} [${r.q1.toFixed(1)}–${r.q3.toFixed(1)}]`
    : r.median.toFixed(1);
}

/** The Markdown table of one dataset's groups. */
export function markdownTable(groups: GroupStats[]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const rows = groups.map((g) =>
    line([
      g.method,
      g.alpha === null ? "–" : String(g.alpha),
      g.sigma === null ? "–" : String(g.sigma),
      String(g.seeds.length - g.diverged) + (g.diverged ? ` (${g.diverged} diverged)` : ""),
      formatSummary(g.steps, 0),
      formatSummary(g.trainAcc),
      formatSummary(g.testAcc),
      formatSummary(g.prunedTestAcc),
      formatSummary(g.pruningRatio),
      medianIqr(g.pruningRatio.values ?? []),
      `${g.collapsed ?? 0} of ${g.seeds.length - g.diverged}`,
    ])
  );
  return [line(HEADER), line(HEADER.map((_, i) => (i < 2 ? "---" : "---:"))), ...rows].join("\n");
}

export function markdownDocument(ctx: FigureContext, stats: GroupStats[]): string {
  const parts = [
    `# Results table (2306.08125, one-hidden-layer FCN), preset \`${ctx.preset.name}\``,
    "",
    `${seedNote(ctx.seeds)} Pruning: hidden units with the ` +
    `smallest incoming-weight norms are zeroed while ≤ ${ctx.preset.mceError * 100}% of ‖W‖²_F ` +
    `is removed (mce), no retraining; the pruning ratio is the fraction of hidden units removed.`,
    "",
    `Provenance: ${provenance(ctx)}.`,
  ];
  for (const ds of ctx.preset.datasets) {
    const groups = mainWidthGroups(stats, ds);
    parts.push("", `## ${ds.label}`, "", `${settings(ds)}. ${ds.note}.`, "", markdownTable(groups));
  }
  return parts.join("\n") + "\n";
}

export async function tableResults(ctx: FigureContext): Promise<FigureOutcome> {
  const rows = await runAll(ctx, alphaSweepRuns(ctx.preset, ctx.seeds));
  const stats = aggregateRuns(rows);
  const mdPath = join(ctx.outDir, `${NAME}.md`);
  await writeFileAtomic(mdPath, markdownDocument(ctx, stats));
  const domain = methodSeries();
  const panels = ctx.preset.datasets.map((ds) => {
    const fig = scatter({
      rows: mainWidthGroups(stats, ds).filter((g) => g.pruningRatio.n > 0).map((g) => ({
        series: seriesLabel(g.method),
        pruningRatio: g.pruningRatio.mean,
        prunedTestAcc: g.prunedTestAcc.mean,
      })),
      x: "pruningRatio",
      y: "prunedTestAcc",
      series: "series",
      seriesLabel: "Training",
      xLabel: "Hidden units pruned at mce 0.1 (%)",
      yLabel: PRUNED_ACC_LABEL,
      title: ds.label,
      subtitle: `n = ${ds.width}; one dot per (training, α), mean over seeds`,
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      r: 4.5,
    });
    return withSeriesDomain(fig, domain);
  });
  const lines = ctx.preset.datasets.map((ds) => {
    const groups = mainWidthGroups(stats, ds);
    const sgd = groups.find((g) => g.method === "SGD");
    return `${ds.label}: ${groups.length} rows; SGD test ` +
      `${formatSummary(sgd?.testAcc)}%, pruned ${formatSummary(sgd?.pruningRatio)}% → ` +
      `${formatSummary(sgd?.prunedTestAcc)}%.`;
  });
  const verdict = tableVerdict(ctx, ctx.preset.datasets, stats);
  return publishSection(ctx, {
    name: NAME,
    title: TITLE,
    claim: CLAIM,
    paper: `${PAPER_HEADLINE} The abstract adds that compressibility comes at a slight cost in ` +
      "training and test error.",
    paperRef: PAPER_REF,
    setting: settingLine(ctx, ctx.preset.datasets),
    verdict,
    figure: {
      title: "Accuracy–compressibility trade-off (the rows of table_results.md)",
      subtitle: "Up and to the right is better: more hidden units removed, higher accuracy kept.",
      caption: [
        "Each dot is one row of the table (SGD, or a noise type at one α), mean over seeds; the " +
        "spread over seeds is in table_results.md.",
      ],
      columns: Math.min(2, panels.length),
      panels,
    },
    csvRows: stats.map((g) => ({
      ...groupCsvRow(g, ["trainAcc", "testAcc", "prunedTestAcc", "pruningRatio", "steps"]),
    })),
    ours: [
      `Full table: [${NAME}.md](${NAME}.md) (CSV: [${NAME}.csv](${NAME}.csv)).`,
      ...lines,
      ...headlineLines(ctx.preset, stats),
      provenanceLine(ctx),
    ],
    summary: lines,
    heading: `${NAME}: ${verdict.outcome}; wrote ${mdPath}`,
    written: [mdPath],
  });
}
