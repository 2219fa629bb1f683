/**
 * fig:cnn — 2306.08125's CNN experiment: VGG11 (the authors' `vgg11_wide` at width 128) on
 * CIFAR-10, SGD against heavy-tailed SGD with Type-I noise per filter on every conv layer but
 * the first (their `--iterate_noise_filter`), then filter pruning (each filter's in·3·3 weights
 * as one column, mce at 10% squared Frobenius error, first conv and classifier excluded) without
 * retraining. Panels: filters pruned and pruned test accuracy vs α, and test accuracy vs the
 * fraction of filters pruned.
 */
import { formatSummary } from "../common/summary.ts";
import { updateReport } from "../common/report.ts";
import {
  aggregateCurves,
  aggregateRuns,
  groupCsvRow,
  type GroupStats,
  pairedGains,
} from "../common/aggregate.ts";
import { compressibilityVerdict, settingLine } from "../common/claims.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { alphaPlotRows } from "./fig_alpha.ts";
import { curveLines, curvePlotRows } from "./fig_curves.ts";
import { writePanelFigure } from "../common/panels.ts";
import { type DatasetPreset, PresetError } from "../common/presets.ts";
import { runsCsv } from "../common/runs_csv.ts";
import {
  errorBarNote,
  panel,
  provenance,
  provenanceColumns,
  seriesLabel,
} from "../common/style.ts";
import { alphaSweepRuns, METHODS, runAll } from "../common/sweep.ts";

export const NAME = "fig_cnn";
export const TITLE = "VGG11 filter pruning after SGD and heavy-tailed SGD";
export const CLAIM = "The compressibility result carries over to CNNs: with heavy-tailed noise " +
  "injected per filter, mce pruning at 10% squared Frobenius error removes more filters of a " +
  "VGG11 than after plain SGD, with test accuracy after pruning close to the unpruned network's.";
const PAPER = "The abstract says the increased compressibility and robust test performance under " +
  "pruning hold even for realistic architectures beyond the theory; the CNN is the authors' " +
  "vgg11_wide on CIFAR-10 with Type I noise per filter and filter pruning (docs/papers.md). Its " +
  "numbers (in an appendix) are not known to us; a third-party summary speaks of improved " +
  "robustness to pruning.";

export function cnnPreset(ctx: FigureContext): DatasetPreset {
  const cnn = ctx.preset.cnn;
  if (!cnn) throw new PresetError("cnn", `preset ${ctx.preset.name} has no CNN experiment`);
  return cnn;
}

function channels(ds: DatasetPreset): string {
  const w = ds.width;
  return `VGG11 width ${w} (conv channels ${w}–${8 * w})`;
}

function reportLines(ds: DatasetPreset, stats: GroupStats[]): string[] {
  const mine = stats.filter((g) => g.dataset === ds.id);
  const sgd = mine.find((g) => g.method === "SGD");
  const fmt = (g: GroupStats) =>
    `${formatSummary(g.pruningRatio)}% of filters → test ${formatSummary(g.prunedTestAcc)}% ` +
    `(unpruned ${formatSummary(g.testAcc)}%)`;
  const ht = mine.filter((g) => g.method !== "SGD").map((g) =>
    `${g.method} α=${g.alpha}: ${fmt(g)}`
  );
  const lines = [
    `${ds.label}, ${channels(ds)}, σ = ${ds.sigma}: SGD prunes ${sgd ? fmt(sgd) : "–"}; ` +
    `heavy-tailed: ${ht.join("; ")}.`,
  ];
  const diverged = mine.reduce((a, g) => a + g.diverged, 0);
  if (diverged) lines.push(`${ds.id}: ${diverged} run(s) diverged and are left out.`);
  return lines;
}

export async function figCnn(ctx: FigureContext): Promise<FigureOutcome> {
  const ds = cnnPreset(ctx);
  const rows = await runAll(ctx, alphaSweepRuns(ctx.preset, ctx.seeds, [ds]));
  const stats = aggregateRuns(rows);
  const curves = aggregateCurves(rows).filter((c) => c.dataset === ds.id && c.testAcc.n > 0);
  // Colours by position in METHODS (as in every figure); legends list the methods present.
  const present = [METHODS[0], ...ds.types.map((t) => METHODS[t])];
  const curveLabel = (m: string) => seriesLabel(m, m === "SGD" ? undefined : ds.refAlpha);
  const byAlpha = {
    rows: alphaPlotRows(ds, stats),
    x: "alpha",
    series: "series",
    seriesLabel: "Training",
    xLabel: "Tail index α of the injected noise (smaller = heavier tails)",
    domain: METHODS.map((m) => seriesLabel(m)),
    legend: present.map((m) => seriesLabel(m)),
  };
  const panels = [
    panel({
      ...byAlpha,
      y: "pruningRatio",
      yErr: "pruningRatioSd",
      yLabel: "Filters pruned at mce 0.1 (%)",
      title: `${ds.label}: filters pruned`,
      subtitle: `${channels(ds)}, σ = ${ds.sigma}`,
    }),
    panel({
      ...byAlpha,
      y: "prunedTestAcc",
      yErr: "prunedTestAccSd",
      yLabel: "Test accuracy after pruning (%)",
      title: `${ds.label}: accuracy after pruning`,
      subtitle: "mce 0.1 on convs 2–8, no retraining",
    }),
    panel({
      rows: curvePlotRows(curves),
      x: "pruned",
      y: "testAcc",
      yErr: "testAccSd",
      series: "series",
      seriesLabel: "Training",
      xLabel: "Conv weights in pruned filters, smallest ℓ2 norm first (%)",
      yLabel: "Test accuracy after pruning (%)",
      title: `${ds.label}: accuracy vs filters pruned`,
      subtitle: `α = ${ds.refAlpha}; the ⌊f·filters⌋ smallest of each conv 2–8`,
      domain: METHODS.map(curveLabel),
      legend: present.map(curveLabel),
    }),
  ];
  // pruningRatioPct: weights in pruned filters / weights of convs 2–8, in %.
  const csvRows = stats.map((g) => ({ ...groupCsvRow(g), ...provenanceColumns(ctx) }));
  const paths = await writePanelFigure(ctx.outDir, NAME, {
    title: TITLE,
    subtitle: "3×3 convs without bias or batch norm, ReLU, 2×2 max pools, one linear layer; " +
      "noise on convs 2–8 (Type I per filter, II per weight, III per 3×3 kernel); a pruned " +
      "filter is zeroed (its output channel is 0).",
    caption: [
      `SGD has no α: its value is drawn flat across the α axis. ${errorBarNote(ctx.seeds)}`,
      `Pruning ratio = pruned filters' weights / all weights of convs 2–8 (the first conv and the ` +
      `classifier are never pruned).`,
      `${ds.label}: ${ds.note}.`,
      provenance(ctx),
    ],
    columns: 3,
    panels,
  }, { rows: csvRows });
  const runsPath = await runsCsv(ctx, NAME, rows);
  const lines = [
    ...reportLines(ds, stats),
    ...curveLines(ctx, curves, [ds], "width"),
  ];
  const verdict = compressibilityVerdict(ctx, [ds], stats, pairedGains(rows));
  await updateReport(ctx.outDir, {
    name: NAME,
    title: TITLE,
    part: "2306.08125",
    claim: CLAIM,
    verdict,
    paperRef: "not published (qualitative: more filters prunable, robust accuracy)",
    setting: settingLine(ctx, [ds], "width"),
    paper: PAPER,
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
