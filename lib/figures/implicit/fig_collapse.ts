/**
 * fig:collapse (OURS, not a figure of the paper) — the predicted per-run collapse probability
 * (common/collapse_model.ts: one stable draw big enough that a unit holds 90% of ‖W‖²_F) against
 * the observed collapse rate (common/collapse.ts), per noise type, across the preset's widths at
 * the reference α, and per α at the main width. It tells a user when mce's pruning ratio can be
 * trusted: where the prediction is a few percent, one seed in tens will collapse.
 */
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { settingLine } from "../common/claims.ts";
import type { DatasetPreset } from "../common/presets.ts";
import { datasetNotes, panel } from "../common/style.ts";
import {
  alphaSweepRuns,
  METHODS,
  runAll,
  type RunRow,
  uniqueRuns,
  widthSweepRuns,
} from "../common/figure_runs.ts";
import { COLLAPSE_RULE, isCollapsed } from "../common/collapse.ts";
import { binomialTwoSided, predictCollapse } from "../common/collapse_model.ts";
import { judgeFacts, type Verdict } from "../common/verdict.ts";
import type { FigureInput } from "../../plot/figure.ts";
import { dataLine, provenanceLine, publishSection } from "./section.ts";

export const NAME = "fig_collapse";
export const TITLE = "Predicted vs observed collapse rate (ours, not a paper figure)";
export const CLAIM = "A run collapses when one stable noise draw is big enough that its unit " +
  "holds ≥ 90% of the first layer's ‖W‖²_F; the stable tail P(|X| > x) ≈ C_α·x^(−α), the draws " +
  "in a run and the jump s·x (s = σ·lr^(1/α)) predict how often that happens.";

/** One (dataset, width, type, α) cell: runs, collapses and the mean predicted probability. */
export interface CollapseCell {
  dataset: string;
  width: number;
  method: string;
  type: 1 | 2 | 3;
  alpha: number;
  runs: number;
  collapsed: number;
  predicted: number;
}

/** Groups the heavy-tailed runs into cells; `inputs` gives d per dataset id. */
export function collapseCells(
  rows: RunRow[],
  ds: DatasetPreset[],
  inputs: Map<string, number>,
): CollapseCell[] {
  const cells = new Map<string, CollapseCell>();
  for (const r of rows) {
    if (r.method === "SGD" || r.alpha === null || r.sigma === null) continue;
    if (!Number.isFinite(r.pruningRatio)) continue;
    const preset = ds.find((d) => d.id === r.dataset);
    const d = inputs.get(r.dataset);
    if (!preset || d === undefined) continue;
    const type = METHODS.indexOf(r.method) as 1 | 2 | 3;
    const key = `${r.dataset}|${r.width}|${type}|${r.alpha}`;
    const cell = cells.get(key) ?? {
      dataset: r.dataset,
      width: r.width,
      method: r.method,
      type,
      alpha: r.alpha,
      runs: 0,
      collapsed: 0,
      predicted: 0,
    };
    const p = predictCollapse({
      type,
      alpha: r.alpha,
      sigma: r.sigma,
      lr: preset.base.lr,
      width: r.width,
      inputs: d,
      steps: r.steps,
    }).perRun;
    cell.predicted = (cell.predicted * cell.runs + p) / (cell.runs + 1);
    cell.runs += 1;
    if (isCollapsed(r)) cell.collapsed += 1;
    cells.set(key, cell);
  }
  return [...cells.values()];
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** Cells with ≥ 5 runs: the observed count against Binomial(runs, predicted), p ≥ 0.05 agrees. */
export function collapseVerdict(cells: CollapseCell[], caveats: string[]): Verdict {
  const checks = cells.map((c) => {
    const p = binomialTwoSided(c.collapsed, c.runs, c.predicted);
    return {
      label: `${c.dataset} n=${c.width} ${c.method} α=${c.alpha}: ${c.collapsed} of ${c.runs} ` +
        `observed, ${pct(c.predicted)} predicted (binomial p = ${p.toFixed(2)})`,
      ok: c.runs < 5 ? "undecided" as const : p >= 0.05,
    };
  });
  return judgeFacts(
    checks,
    "per (width, type, α) with ≥ 5 runs: the observed collapse count is consistent with " +
      "Binomial(runs, predicted probability), two-sided exact p ≥ 0.05; p < 0.05 goes against " +
      "the model. (A check of our model, not of the paper.)",
    caveats,
  );
}

function datasetPanels(ds: DatasetPreset, cells: CollapseCell[]): FigureInput[] {
  return ds.types.map((t) => {
    const mine = cells.filter((c) =>
      c.dataset === ds.id && c.type === t && c.alpha === ds.refAlpha
    );
    const rows = mine.flatMap((c) => {
      const rate = c.collapsed / c.runs;
      return [
        { series: "predicted", width: c.width, ratePct: 100 * c.predicted, sdPct: null },
        {
          series: "observed",
          width: c.width,
          ratePct: 100 * rate,
          sdPct: 100 * Math.sqrt(rate * (1 - rate) / c.runs),
        },
      ];
    });
    return panel({
      rows,
      x: "width",
      y: "ratePct",
      yErr: "sdPct",
      series: "series",
      domain: ["predicted", "observed"],
      xType: "log",
      xTicks: [...new Set(mine.map((c) => c.width))],
      xLabel: "Hidden units n",
      yLabel: "Runs collapsed (%)",
      title: `${ds.label}: ${METHODS[t]}, α=${ds.refAlpha}`,
      subtitle: `σ = ${ds.sigma}; observed ± binomial sd`,
    });
  });
}

export async function figCollapse(ctx: FigureContext): Promise<FigureOutcome> {
  const specs = uniqueRuns([
    ...alphaSweepRuns(ctx.preset, ctx.seeds),
    ...widthSweepRuns(ctx.preset, ctx.seeds),
  ]);
  const rows = await runAll(ctx, specs);
  const inputs = new Map<string, number>();
  for (const s of specs) {
    if (!inputs.has(s.ds.id)) inputs.set(s.ds.id, (await ctx.data.get(s.config)).inputDim);
  }
  const datasets = ctx.preset.datasets;
  const cells = collapseCells(rows, datasets, inputs);
  const lines = cells.map((c) =>
    `${c.dataset} n = ${c.width}, ${c.method} α=${c.alpha}: ${c.collapsed} of ${c.runs} ` +
    `collapsed (${pct(c.collapsed / c.runs)}); predicted ${pct(c.predicted)}.`
  );
  return publishSection(ctx, {
    name: NAME,
    title: TITLE,
    claim: CLAIM,
    paper: "No paper shows this: 2306.08125 reports mce pruning ratios without the runs whose " +
      "one extreme draw takes over ‖W‖²_F. The model is ours (lib/figures/common/" +
      "collapse_model.ts); it ignores training, so it is an order of magnitude.",
    paperRef: "not in the paper (our model)",
    setting: settingLine(ctx, datasets),
    verdict: collapseVerdict(cells, []),
    figure: {
      title: TITLE,
      subtitle: `Collapsed: ${COLLAPSE_RULE}. Predicted: 1 − (1 − p)^draws per run, averaged ` +
        "over the runs (each with its own number of steps).",
      caption: [
        "Type I: |Z| > 3‖W‖/(s√d), n·K draws; Type II: |Z| > 3‖W‖/s, n·d·K draws; Type III: " +
        "A > 9‖W‖²/(s²d), n·K draws; ‖W‖² = n/3 (initialisation), s = σ·lr^(1/α).",
        ...datasetNotes(datasets),
      ],
      columns: 3,
      panels: datasets.flatMap((ds) => datasetPanels(ds, cells)),
    },
    csvRows: cells.map((c) => ({ ...c, observedRate: c.collapsed / c.runs })),
    ours: [...lines, provenanceLine(ctx), dataLine(NAME, false)],
    summary: lines,
  });
}
