/**
 * The figure scripts: those with the shared figure flags (lib/figures/common/cli.ts), in the
 * order `deno task reproduce` runs them (2306.08125's, then the (lr, batch) sweep figures of
 * 2106.03795, which share one cached sweep), and those with a command line of their own, which
 * reproduce does not run (2106.03795's synthetic figure). Each scripts/ entry runs its task
 * through `figureScriptMain`.
 */
import {
  hdAlphaVsLrb,
  hdAlphaVsPrunable,
  hdGapVsAlpha,
  hdPruningVsLrb,
} from "./heavy_tails/figures.ts";
import { type FigureCore, figureMain } from "./common/cli.ts";
import { figSyntheticMain } from "./heavy_tails/fig_synthetic.ts";
import { figAlpha } from "./implicit/fig_alpha.ts";
import { figCnn } from "./implicit/fig_cnn.ts";
import { figCurves } from "./implicit/fig_curves.ts";
import { figSeeds } from "./implicit/fig_seeds.ts";
import { figCollapse } from "./implicit/fig_collapse.ts";
import { figTheory } from "./implicit/fig_theory.ts";
import { figWidth } from "./implicit/fig_width.ts";
import { tableResults } from "./implicit/table_results.ts";

export interface FigureScript {
  /** deno task name. */
  task: string;
  /** One line for --help. */
  what: string;
  core: FigureCore;
}

export const FIGURE_SCRIPTS: FigureScript[] = [
  {
    task: "fig:alpha",
    what:
      "Pruning ratio (mce 0.1) and pruned test accuracy vs tail index α, SGD vs Types I/II/III.",
    core: figAlpha,
  },
  {
    task: "fig:width",
    what: "Pruning ratio, pruned accuracy and heavy-tailed gain over SGD vs width n.",
    core: figWidth,
  },
  {
    task: "fig:curves",
    what: "Test accuracy vs fraction of hidden units pruned, SGD vs heavy-tailed SGD.",
    core: figCurves,
  },
  {
    task: "fig:seeds",
    what: "Headline comparison per seed (SGD vs Types I/II/III at the reference α), collapsed " +
      "runs marked, and the collapse counts with Fisher's exact test.",
    core: figSeeds,
  },
  {
    task: "fig:collapse",
    what: "Ours, not a paper figure: predicted (stable tail) vs observed collapse rate per " +
      "noise type across widths.",
    core: figCollapse,
  },
  {
    task: "table:results",
    what: "Results table per dataset (accuracies, pruned accuracy, pruning ratio; mean ± sd).",
    core: tableResults,
  },
  {
    task: "fig:cnn",
    what: "VGG11 on CIFAR-10: filters pruned (mce 0.1) and pruned accuracy, SGD vs filter-wise " +
      "heavy-tailed SGD.",
    core: figCnn,
  },
  {
    task: "fig:theory",
    what: "Illustrative: top-κn column error of iid noise columns vs n (not a paper figure).",
    core: figTheory,
  },
  {
    task: "fig:hd-alpha-lrb",
    what: "2106.03795: median layer tail index α̂ vs η/b over the (lr, batch) sweep.",
    core: hdAlphaVsLrb,
  },
  {
    task: "fig:hd-pruning-lrb",
    what: "2106.03795: test accuracy after magnitude / node / singular-value pruning vs η/b.",
    core: hdPruningVsLrb,
  },
  {
    task: "fig:hd-alpha-prunable",
    what: "2106.03795: per-layer α̂ vs prunable fraction at 10% relative error.",
    core: hdAlphaVsPrunable,
  },
  {
    task: "fig:hd-gap-alpha",
    what: "2106.03795: generalization gap vs median α̂.",
    core: hdGapVsAlpha,
  },
];

/** A figure script with a command line of its own; `reproduce` does not run it. */
export interface OwnFlagsScript {
  task: string;
  what: string;
  /** Parses Deno.args and draws. */
  main: () => Promise<void>;
}

export const OWN_FLAGS_SCRIPTS: OwnFlagsScript[] = [
  {
    task: "fig:synthetic",
    what:
      "2106.03795: compressibility vs α of iid entries / iid columns / one whole-layer vector " +
      "(synthetic layers, no training).",
    main: figSyntheticMain,
  },
];

/** Runs a figure script's task as a program: its flags, its figure, its exit code. */
export function figureScriptMain(task: string): Promise<void> {
  const shared = FIGURE_SCRIPTS.find((f) => f.task === task);
  if (shared) return figureMain(shared.task, shared.what, shared.core);
  const own = OWN_FLAGS_SCRIPTS.find((f) => f.task === task);
  if (own) return own.main();
  throw new Error(`no figure script "${task}"`);
}
