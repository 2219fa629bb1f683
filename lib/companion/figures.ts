/**
 * The figure scripts of 2106.03795 (heavy tails from large η/b → compressibility): each runs (or
 * loads) the preset's (lr, batch) sweep through `companionSweep` and plots one view of it.
 */
import { updateReport } from "../experiments/report.ts";
import type { FigureCore, FigureOutcome } from "../figures/cli.ts";
import { type FigureContext, ShardDone, shardShare } from "../figures/context.ts";
import { lineWithErrorBars, scatter } from "../plot/charts.ts";
import { writeFigure } from "../plot/figure.ts";
import { PRUNING_METHODS, type PruningMethod } from "./pruning.ts";
import { assignmentKey } from "../shard/shard.ts";
import { COMPANION_PRESETS, type CompanionPreset } from "./presets.ts";
import { companionConfigs, type CompanionPoint, companionSweep } from "./sweep.ts";

const PAPER_NOTE = "The paper's figures are not available to this project (papers file §1); the " +
  "authors' notebook figure A shows per-layer α̂ ≈ 1.45–2.0 against prunable fractions ≈ 0.21–0.40 " +
  "at 10% error, lower α̂ with larger fractions, the output layer the heaviest-tailed.";

function presetFor(ctx: FigureContext): CompanionPreset {
  const p = COMPANION_PRESETS[ctx.preset.name as keyof typeof COMPANION_PRESETS];
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
  return `${p.dataset}${p.limitTrain ? ` (first ${p.limitTrain} train)` : ""}, ` +
    `${p.models.map((m) => `${m.name} width ${m.width}`).join(", ")}; ${points.length} runs, ` +
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

async function finish(
  ctx: FigureContext,
  name: string,
  title: string,
  claim: string,
  fig: Parameters<typeof writeFigure>[2],
  ours: string[],
): Promise<FigureOutcome> {
  const paths = await writeFigure(ctx.outDir, name, fig);
  const report = await updateReport(ctx.outDir, { name, title, claim, ours, paper: PAPER_NOTE });
  return { name, files: [paths.svg, paths.png, paths.csv, report], summary: ours };
}

export const hdAlphaVsLrb: FigureCore = async (ctx) => {
  const points = await sweep(ctx);
  const rows = points.map((p) => ({
    run: `${p.model} b=${p.batch}`,
    lrOverB: p.lrOverB,
    alphaMedian: p.alphaMedian,
    lr: p.lr,
    batch: p.batch,
    steps: p.steps,
  }));
  const rho = spearman(points.map((p) => p.lrOverB), points.map((p) => p.alphaMedian));
  return finish(
    ctx,
    "fig_hd_alpha_lrb",
    "Estimated tail index vs learning-rate / batch-size ratio",
    "A larger η/b gives heavier-tailed weights, i.e. a lower estimated tail index α̂ (2106.03795).",
    lineWithErrorBars({
      rows,
      x: "lrOverB",
      y: "alphaMedian",
      series: "run",
      seriesLabel: "Model, batch",
      xType: "log",
      xLabel: "η / b (learning rate / batch size)",
      yLabel: "Median layer α̂ (multivariate, averaged iterate)",
      title: "Tail index vs η/b",
      subtitle: describe(ctx, points),
    }),
    [`Spearman ρ(η/b, median α̂) = ${
      rho.toFixed(2)
    } over ${points.length} runs (negative = the claim)`],
  );
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
    p.pruning.map((q) => ({ model: p.model, batch: p.batch, lrOverB: p.lrOverB, ...q }))
  );
  const rows = all.filter((r) => r.ratio === top[r.method]).map((r) => ({
    ...r,
    series: `${r.method} (ratio ${r.ratio})`,
  }));
  const ours = PRUNING_METHODS.map((m) => {
    const sel = rows.filter((r) => r.method === m);
    const rho = spearman(sel.map((r) => r.lrOverB), sel.map((r) => r.testAcc));
    return `${m} pruning at ratio ${top[m]}: Spearman ρ(η/b, pruned test accuracy) = ${
      rho.toFixed(2)
    }`;
  });
  return finish(
    ctx,
    "fig_hd_pruning_lrb",
    "Pruned test accuracy vs η/b for magnitude (local, global), node and singular-value pruning",
    "Networks trained with a larger η/b (heavier tails) keep more of their test accuracy under " +
      "magnitude, singular-value and node pruning.",
    {
      ...lineWithErrorBars({
        rows,
        x: "lrOverB",
        y: "testAcc",
        series: "series",
        seriesLabel: "Pruning",
        xType: "log",
        xLabel: "η / b (learning rate / batch size)",
        yLabel: "Test accuracy after pruning (%)",
        title: "Pruned accuracy vs η/b",
        subtitle: describe(ctx, points),
      }),
      rows: all, // the CSV keeps every ratio of every method
    },
    ours,
  );
};

export const hdAlphaVsPrunable: FigureCore = async (ctx) => {
  const points = await sweep(ctx);
  const rows = points.flatMap((p) =>
    p.alphas.map((a) => ({
      layer: `layer ${a.index + 1}${a.transposed ? " (output, transposed)" : ""}`,
      prunableFraction: a.prunableFraction,
      alpha: a.multivariate,
      lrOverB: p.lrOverB,
      model: p.model,
    }))
  );
  const rho = spearman(rows.map((r) => r.prunableFraction), rows.map((r) => r.alpha));
  return finish(
    ctx,
    "fig_hd_alpha_prunable",
    "Per-layer tail index vs prunable fraction at 10% relative error",
    "Layers with a lower α̂ can be magnitude-pruned further at a fixed 10% relative ℓ2 error.",
    scatter({
      rows,
      x: "prunableFraction",
      y: "alpha",
      series: "layer",
      seriesLabel: "Layer",
      xLabel: "Prunable fraction at 10% relative error (1 − κ), final iterate",
      yLabel: "Layer α̂ (multivariate, averaged iterate)",
      title: "Tail index vs compressibility, per layer",
      subtitle: describe(ctx, points),
    }),
    [`Spearman ρ(prunable fraction, α̂) = ${
      rho.toFixed(2)
    } over ${rows.length} layers (negative = the claim)`],
  );
};

export const hdGapVsAlpha: FigureCore = async (ctx) => {
  const points = await sweep(ctx);
  const rows = points.map((p) => ({
    model: p.model,
    alphaMedian: p.alphaMedian,
    accuracyGap: p.accuracyGap,
    lossGap: p.lossGap,
    lrOverB: p.lrOverB,
  }));
  const rho = spearman(rows.map((r) => r.alphaMedian), rows.map((r) => r.accuracyGap));
  return finish(
    ctx,
    "fig_hd_gap_alpha",
    "Generalization gap vs estimated tail index",
    "More compressible (heavier-tailed, lower α̂) networks have a smaller generalization gap.",
    scatter({
      rows,
      x: "alphaMedian",
      y: "accuracyGap",
      series: "model",
      seriesLabel: "Model",
      xLabel: "Median layer α̂ (averaged iterate)",
      yLabel: "|train − test| accuracy (percentage points)",
      title: "Generalization gap vs tail index",
      subtitle: describe(ctx, points),
    }),
    [`Spearman ρ(median α̂, accuracy gap) = ${
      rho.toFixed(2)
    } over ${rows.length} runs (positive = the claim)`],
  );
};
