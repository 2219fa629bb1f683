/**
 * What the 2306.08125 figures draw alike: the series lists that pin their colours, the
 * pruning-ratio and pruned-accuracy panels of a sweep (against α or against n), and the plotted
 * fields of a group.
 */
import { errorBar } from "../common/mean_sd.ts";
import type { GroupStats } from "../common/run_stats.ts";
import type { DatasetPreset } from "../common/presets.ts";
import { panel, type PanelOptions, PRUNED_ACC_LABEL, seriesLabel } from "../common/style.ts";
import { METHODS } from "../common/figure_runs.ts";
import type { FigureInput } from "../../plot/figure.ts";

/** SGD and each noise type, without α (the α sweep's series). */
export function methodSeries(): string[] {
  return METHODS.map((m) => seriesLabel(m));
}

/** SGD, then each noise type at each dataset's reference α (the curves' and widths' series). */
export function refAlphaSeries(datasets: DatasetPreset[]): string[] {
  const refAlphas = [...new Set(datasets.map((d) => d.refAlpha))];
  return [
    seriesLabel("SGD"),
    ...refAlphas.flatMap((a) => METHODS.slice(1).map((m) => seriesLabel(m, a))),
  ];
}

/** A group's plotted pruning ratio and pruned accuracy, each with its error bar. */
export function prunedFields(g: GroupStats) {
  return {
    pruningRatio: g.pruningRatio.mean,
    pruningRatioSd: errorBar(g.pruningRatio),
    prunedTestAcc: g.prunedTestAcc.mean,
    prunedTestAccSd: errorBar(g.prunedTestAcc),
  };
}

/** Everything of a panel but its y axis and titles. */
export type PanelBase = Omit<PanelOptions, "y" | "yErr" | "yLabel" | "title" | "subtitle">;

/** What the two pruning panels say: what is pruned, and their subtitles. */
export interface PruningPanelText {
  /** "Hidden units" (default), or "Filters" for the CNN. */
  pruned?: "Hidden units" | "Filters";
  subtitles: [string, string];
}

/**
 * A dataset's two panels over rows of `prunedFields`: the share pruned at mce 0.1 and the test
 * accuracy after pruning.
 */
export function pruningPanels(
  base: PanelBase,
  ds: DatasetPreset,
  o: PruningPanelText,
): FigureInput[] {
  const pruned = o.pruned ?? "Hidden units";
  return [
    panel({
      ...base,
      y: "pruningRatio",
      yErr: "pruningRatioSd",
      yLabel: `${pruned} pruned at mce 0.1 (%)`,
      title: `${ds.label}: ${pruned === "Filters" ? "filters pruned" : "pruning ratio"}`,
      subtitle: o.subtitles[0],
    }),
    panel({
      ...base,
      y: "prunedTestAcc",
      yErr: "prunedTestAccSd",
      yLabel: PRUNED_ACC_LABEL,
      title: `${ds.label}: accuracy after pruning`,
      subtitle: o.subtitles[1],
    }),
  ];
}
