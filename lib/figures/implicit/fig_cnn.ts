/**
 * fig:cnn — 2306.08125's CNN experiment: VGG11 (the authors' `vgg11_wide` at width 128) on
 * CIFAR-10, SGD against heavy-tailed SGD with Type-I noise per filter on every conv layer but
 * the first (their `--iterate_noise_filter`), then filter pruning (each filter's in·3·3 weights
 * as one column, mce at 10% squared Frobenius error, first conv and classifier excluded) without
 * retraining. Panels: filters pruned and pruned test accuracy vs α, and test accuracy vs the
 * fraction of filters pruned.
 */
import { formatSummary } from "../common/mean_sd.ts";
import {
  aggregateCurves,
  divergedLines,
  type GroupStats,
  mainWidthGroups,
} from "../common/run_stats.ts";
import { settingLine } from "../common/claims.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { alphaPanels, alphaSweep } from "./fig_alpha.ts";
import { curveLines, curvePanel } from "./fig_curves.ts";
import { type DatasetPreset, PresetError } from "../common/presets.ts";
import { datasetNotes, errorBarNote, seriesLabel } from "../common/style.ts";
import { METHODS } from "../common/figure_runs.ts";
import { dataLine, provenanceLine, publishSection } from "./section.ts";
import { updateReport } from "../common/report.ts";
import { ShardDone } from "../common/context.ts";

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
  const mine = mainWidthGroups(stats, ds);
  const sgd = mine.find((g) => g.method === "SGD");
  const fmt = (g: GroupStats) =>
    `${formatSummary(g.pruningRatio)}% of filters → test ${formatSummary(g.prunedTestAcc)}% ` +
    `(unpruned ${formatSummary(g.testAcc)}%)`;
  const ht = mine.filter((g) => g.method !== "SGD").map((g) =>
    `${g.method} α=${g.alpha}: ${fmt(g)}`
  );
  return [
    `${ds.label}, ${channels(ds)}, σ = ${ds.sigma}: SGD prunes ${sgd ? fmt(sgd) : "–"}; ` +
    `heavy-tailed: ${ht.join("; ")}.`,
    ...divergedLines(ds, mine),
  ];
}

/** The section of a preset without a CNN experiment: why, in place of the figure. */
async function omittedSection(ctx: FigureContext, why: string): Promise<FigureOutcome> {
  if (ctx.shard) throw new ShardDone(0, 0, ctx.shard);
  const report = await updateReport(ctx.outDir, {
    name: NAME,
    title: TITLE,
    part: "2306.08125",
    claim: CLAIM,
    verdict: {
      outcome: "inconclusive",
      criterion: "not judged: this preset has no CNN experiment",
      evidence: [`not run in preset ${ctx.preset.name}`],
      caveats: [why],
    },
    paperRef: "not known to us (appendix)",
    setting: `preset ${ctx.preset.name} · not run`,
    ours: [why],
    paper: PAPER,
    image: false,
  });
  return { name: NAME, files: [report], summary: [`${NAME}: not run (${why.split(".")[0]})`] };
}

export async function figCnn(ctx: FigureContext): Promise<FigureOutcome> {
  if (!ctx.preset.cnn && ctx.preset.cnnOmitted) return omittedSection(ctx, ctx.preset.cnnOmitted);
  const ds = cnnPreset(ctx);
  const { rows, stats, verdict, csvRows } = await alphaSweep(ctx, [ds]);
  const curves = aggregateCurves(rows).filter((c) => c.dataset === ds.id && c.testAcc.n > 0);
  // Colours by position in METHODS (as in every figure); legends list the methods present.
  const present = [METHODS[0], ...ds.types.map((t) => METHODS[t])];
  const curveLabel = (m: string) => seriesLabel(m, m === "SGD" ? undefined : ds.refAlpha);
  const panels = [
    ...alphaPanels(ds, stats, {
      pruned: "Filters",
      subtitles: [`${channels(ds)}, σ = ${ds.sigma}`, "mce 0.1 on convs 2–8, no retraining"],
      legend: present.map((m) => seriesLabel(m)),
    }),
    curvePanel({
      curves,
      xLabel: "Conv weights in pruned filters, smallest ℓ2 norm first (%)",
      title: `${ds.label}: accuracy vs filters pruned`,
      subtitle: `α = ${ds.refAlpha}; the ⌊f·filters⌋ smallest of each conv 2–8`,
      domain: METHODS.map(curveLabel),
      legend: present.map(curveLabel),
    }),
  ];
  const lines = [
    ...reportLines(ds, stats),
    ...curveLines(ctx, curves, [ds], "width"),
  ];
  return publishSection(ctx, {
    name: NAME,
    title: TITLE,
    claim: CLAIM,
    paper: PAPER,
    paperRef: "not published (qualitative: more filters prunable, robust accuracy)",
    setting: settingLine(ctx, [ds], "width"),
    verdict,
    figure: {
      title: TITLE,
      subtitle: "3×3 convs without bias or batch norm, ReLU, 2×2 max pools, one linear layer; " +
        "noise on convs 2–8 (Type I per filter, II per weight, III per 3×3 kernel); a pruned " +
        "filter is zeroed (its output channel is 0).",
      caption: [
        `SGD has no α: its value is drawn flat across the α axis. ${errorBarNote(ctx.seeds)}`,
        `Pruning ratio = pruned filters' weights / all weights of convs 2–8 (the first conv and ` +
        `the classifier are never pruned).`,
        ...datasetNotes([ds]),
      ],
      columns: 3,
      panels,
    },
    // pruningRatioPct: weights in pruned filters / weights of convs 2–8, in %.
    csvRows,
    runs: rows,
    ours: [...lines, provenanceLine(ctx), dataLine(NAME, true)],
    summary: lines,
  });
}
