/**
 * The wall-time estimate of a whole preset, printed before `deno task reproduce` starts: every
 * run of every figure script (2306.08125's runs once each, as the store shares them, and the
 * 2106.03795 sweep), costed by the preset's model (common/cost_model.ts). Runs already in the
 * store are counted too: the estimate is for a fresh store.
 */
import { companionConfigs } from "../pipelines/companion_sweep.ts";
import {
  type CostedRun,
  type CostModel,
  estimate,
  formatDuration,
  msPerStep,
} from "./common/cost_model.ts";
import { presetRuns } from "./common/figure_runs.ts";
import type { FigurePreset } from "./common/presets.ts";
import { companionPresetOf } from "./heavy_tails/presets.ts";

export interface PresetEstimate {
  implicit: ReturnType<typeof estimate>;
  companion: ReturnType<typeof estimate>;
  seconds: number;
  /** ms per step of the 2306.08125 runs, by "dataset n=width". */
  msPerStep: Map<string, number>;
}

/** The costed runs of a preset with seeds `seeds`, or null when it has no cost model. */
export function presetEstimate(preset: FigurePreset, seeds: number[]): PresetEstimate | null {
  const model = preset.cost;
  if (!model) return null;
  const specs = presetRuns(preset, seeds);
  const implicitRuns: CostedRun[] = specs.map((s) => ({
    config: s.config,
    steps: model.stepsPerRun[s.ds.id],
  }));
  const per = new Map<string, number>();
  for (const s of specs) {
    per.set(`${s.ds.id} n=${s.config.width}`, msPerStep(model, s.config));
  }
  const companion = companionPresetOf(preset.name);
  const companionRuns: CostedRun[] = companion
    ? companionConfigs(companion).map((c) => ({
      config: c.config,
      steps: model.stepsPerRun.companion ?? 0,
    }))
    : [];
  const implicit = estimate(model, implicitRuns);
  const comp = estimate(model, companionRuns);
  return {
    implicit,
    companion: comp,
    seconds: implicit.seconds + comp.seconds,
    msPerStep: per,
  };
}

/** The estimate as printed lines (the model spelled out). */
export function estimateLines(preset: FigurePreset, seeds: number[]): string[] {
  const e = presetEstimate(preset, seeds);
  if (!e) return [];
  const model = preset.cost as CostModel;
  const ms = [...e.msPerStep].map(([k, v]) => `${k}: ${v.toFixed(0)} ms`).join(", ");
  return [
    `estimated wall time (fresh store): ${formatDuration(e.seconds)} — 2306.08125 ` +
    `${e.implicit.runs} runs × ~${Math.round(e.implicit.steps / e.implicit.runs)} steps ` +
    `≈ ${formatDuration(e.implicit.seconds)}; 2106.03795 sweep ${e.companion.runs} runs ≈ ` +
    `${formatDuration(e.companion.seconds)}`,
    `  cost model: ms/step = ${model.fixedMsPerStep} + (6·B·P + 2·(N_train + N_test)·P / ` +
    `evalEvery) / (${model.gflops} GFLOP/s), P = weights; ${ms}`,
    `  ${model.note}`,
  ];
}
