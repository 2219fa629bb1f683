/**
 * The runs behind the figures: which configs each script needs (derived from the preset, so the
 * α sweep, the curves and the table share runs), and running them through the cached
 * train-and-prune pipeline with one progress line per run.
 */
import { etaText } from "../../train/progress.ts";
import { runAndPrune } from "../../pipelines/run_and_prune.ts";
import type { PruneCriterion } from "../../prune/columns.ts";
import type { TrainConfig } from "../../train/config.ts";
import { type FigureContext, ShardDone, shardShare } from "./context.ts";
import { type DatasetPreset, type FigurePreset, type HtType, runConfig } from "./presets.ts";

export const METHODS = ["SGD", "Type I", "Type II", "Type III"] as const;
export type Method = typeof METHODS[number];

export function methodOf(type: 0 | HtType): Method {
  return METHODS[type];
}

/** One run to do: its dataset preset, its config and its method label. */
export interface RunSpec {
  ds: DatasetPreset;
  config: TrainConfig;
  method: Method;
}

function spec(ds: DatasetPreset, width: number, type: 0 | HtType, seed: number, alpha?: number) {
  return { ds, config: runConfig(ds, { width, type, alpha, seed }), method: methodOf(type) };
}

/** The first `count` of `seeds` (all of them when `count` is undefined). */
export function firstSeeds(seeds: number[], count?: number): number[] {
  return count === undefined ? seeds : seeds.slice(0, count);
}

/** The seeds of a dataset's headline runs (SGD and each type at the reference α, main width). */
export function headlineSeeds(ds: DatasetPreset, seeds: number[]): number[] {
  return firstSeeds(seeds, ds.seedCounts?.headline);
}

/** The seeds of a dataset's full α sweep (default: its headline seeds). */
export function alphaSweepSeeds(ds: DatasetPreset, seeds: number[]): number[] {
  return firstSeeds(seeds, ds.seedCounts?.alphaSweep ?? ds.seedCounts?.headline);
}

/** The seeds of a dataset's width sweep (default: its headline seeds). */
export function widthSweepSeeds(ds: DatasetPreset, seeds: number[]): number[] {
  return firstSeeds(seeds, ds.seedCounts?.widthSweep ?? ds.seedCounts?.headline);
}

/**
 * SGD and every type × α at the dataset's main width (default: the FCN datasets): the reference
 * α for the headline seeds, every α for the α-sweep seeds (the same seeds unless the dataset's
 * `seedCounts` says otherwise).
 */
export function alphaSweepRuns(
  preset: FigurePreset,
  seeds: number[],
  datasets: DatasetPreset[] = preset.datasets,
): RunSpec[] {
  const out: RunSpec[] = [];
  for (const ds of datasets) {
    const headline = new Set(headlineSeeds(ds, seeds));
    const sweep = new Set(alphaSweepSeeds(ds, seeds));
    for (const seed of seeds.filter((s) => headline.has(s) || sweep.has(s))) {
      out.push(spec(ds, ds.width, 0, seed));
      for (const type of ds.types) {
        for (const alpha of ds.alphas) {
          if (sweep.has(seed) || alpha === ds.refAlpha) {
            out.push(spec(ds, ds.width, type, seed, alpha));
          }
        }
      }
    }
  }
  return out;
}

/** SGD and every type at the reference α, at the main width: the pruning-curve runs. */
export function curveRuns(preset: FigurePreset, seeds: number[]): RunSpec[] {
  const out: RunSpec[] = [];
  for (const ds of preset.datasets) {
    for (const seed of headlineSeeds(ds, seeds)) {
      out.push(spec(ds, ds.width, 0, seed));
      for (const type of ds.types) out.push(spec(ds, ds.width, type, seed, ds.refAlpha));
    }
  }
  return out;
}

/**
 * The collapse-check runs: the dataset's check arm at the main width for each of its seeds (the
 * first ones coincide with headline runs and are shared through the store).
 */
export function collapseCheckRuns(preset: FigurePreset): RunSpec[] {
  return preset.datasets.flatMap((ds) =>
    ds.collapseCheck
      ? ds.collapseCheck.seeds.map((seed) =>
        spec(ds, ds.width, ds.collapseCheck!.type, seed, ds.collapseCheck!.alpha)
      )
      : []
  );
}

/** Every 2306.08125 run of a preset (α sweep, width sweep, curves, collapse check), once each. */
export function presetRuns(preset: FigurePreset, seeds: number[]): RunSpec[] {
  return uniqueRuns([
    ...alphaSweepRuns(preset, seeds),
    ...widthSweepRuns(preset, seeds),
    ...curveRuns(preset, seeds),
    ...collapseCheckRuns(preset),
  ]);
}

/** The datasets with a width sweep (two widths or more). */
export function widthSweepDatasets(preset: FigurePreset): DatasetPreset[] {
  return preset.datasets.filter((ds) => ds.widths.length > 1);
}

/** SGD and every type at the reference α, for each width of the sweep. */
export function widthSweepRuns(preset: FigurePreset, seeds: number[]): RunSpec[] {
  const out: RunSpec[] = [];
  for (const ds of widthSweepDatasets(preset)) {
    for (const width of ds.widths) {
      for (const seed of widthSweepSeeds(ds, seeds)) {
        out.push(spec(ds, width, 0, seed));
        for (const type of ds.types) out.push(spec(ds, width, type, seed, ds.refAlpha));
      }
    }
  }
  return out;
}

/** True for the runs that also get the fraction-pruned curve. */
export function hasCurve(ds: DatasetPreset, config: TrainConfig): boolean {
  return config.width === ds.width &&
    (config.noise.type === 0 || config.noise.alpha === ds.refAlpha);
}

/**
 * The pruning criteria of a run: mce always; the fraction curve only for curve runs. A pure
 * function of (preset, config), so every script asks for the same list and shares the cache.
 */
export function criteriaFor(
  preset: FigurePreset,
  ds: DatasetPreset,
  config: TrainConfig,
): PruneCriterion[] {
  const mce: PruneCriterion = { kind: "mce", error: preset.mceError };
  if (!hasCurve(ds, config)) return [mce];
  return [
    mce,
    ...preset.fractions.map((fraction): PruneCriterion => ({ kind: "fraction", fraction })),
  ];
}

export interface CurvePoint {
  fraction: number;
  pruningRatio: number;
  trainAcc: number;
  testAcc: number;
}

/** What a group of runs has in common (its seeds aside): data, width, method and noise. */
export interface RunGroup {
  dataset: string;
  datasetLabel: string;
  width: number;
  method: Method;
  /** null for SGD. */
  alpha: number | null;
  sigma: number | null;
}

/** One finished run, flattened (accuracies in %, ratios as fractions of units). */
export interface RunRow extends RunGroup {
  seed: number;
  steps: number;
  stopReason: string;
  trainAcc: number;
  testAcc: number;
  /** Fraction of hidden units removed by mce pruning. */
  pruningRatio: number;
  prunedTrainAcc: number;
  prunedTestAcc: number;
  /** The largest |weight| of the first (hidden) layer of the final net; NaN if it diverged. */
  maxAbsHidden: number;
  curve: CurvePoint[];
  runKey: string;
  cached: boolean;
}

/** A short description of a run for progress lines. */
export function describeRun(s: RunSpec): string {
  const c = s.config;
  const noise = c.noise.type === 0 ? "SGD" : `${s.method} α=${c.noise.alpha} σ=${c.noise.sigma}`;
  return `${s.ds.id} n=${c.width} ${noise} seed ${c.seed}`;
}

const pct = (v: number) => `${v.toFixed(1)}%`;

/** The largest |x| of `w`; NaN without weights (a diverged run keeps none). */
export function maxAbs(w: Float32Array | undefined): number {
  if (!w || w.length === 0) return NaN;
  let m = 0;
  for (const x of w) m = Math.max(m, Math.abs(x));
  return m;
}

/** Drops repeated configs (same dataset id and config), keeping the first. */
export function uniqueRuns(specs: RunSpec[]): RunSpec[] {
  const seen = new Set<string>();
  return specs.filter((s) => {
    const key = `${s.ds.id}|${JSON.stringify(s.config)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function trainLogger(ctx: FigureContext): (line: string) => void {
  let last = -Infinity;
  return (line) => {
    const now = performance.now();
    if (ctx.verbose || now - last >= 30_000) {
      last = now;
      ctx.log(`      ${line}`);
    }
  };
}

/**
 * Loads the data of every dataset, before training any run, so missing real data fails at once
 * (with the `deno task data` hint) instead of after hours of other runs. (Finished runs need
 * their data too: a run key hashes the data it was trained on.)
 */
async function preflight(ctx: FigureContext, runs: RunSpec[]): Promise<void> {
  const checked = new Set<string>();
  for (const s of runs) {
    if (checked.has(s.ds.id)) continue;
    checked.add(s.ds.id);
    await ctx.data.get(s.config);
  }
}

/** Trains (or loads) and prunes each run, in order, printing `[k/N] run … done`. */
export async function runAll(ctx: FigureContext, specs: RunSpec[]): Promise<RunRow[]> {
  const all = uniqueRuns(specs);
  const runs = shardShare(ctx, all, (s) => s.config);
  await preflight(ctx, runs);
  const rows: RunRow[] = [];
  const sweepStart = performance.now();
  for (const [i, s] of runs.entries()) {
    const tag = `[${i + 1}/${runs.length}]`;
    ctx.log(`${tag} ${describeRun(s)} …`);
    const started = performance.now();
    const criteria = criteriaFor(ctx.preset, s.ds, s.config);
    const { run, pruned } = await runAndPrune(
      ctx.gpu,
      ctx.store,
      s.config,
      criteria,
      () => ctx.data.get(s.config),
      { log: trainLogger(ctx) },
    );
    const m = run.metrics;
    const mce = pruned[0];
    const row: RunRow = {
      dataset: s.ds.id,
      datasetLabel: s.ds.label,
      width: s.config.width,
      method: s.method,
      alpha: s.config.noise.type === 0 ? null : s.config.noise.alpha,
      sigma: s.config.noise.type === 0 ? null : s.config.noise.sigma,
      seed: s.config.seed,
      steps: m.steps,
      stopReason: m.stopReason,
      trainAcc: m.final?.trainAcc ?? NaN,
      testAcc: m.final?.testAcc ?? NaN,
      pruningRatio: mce?.pruningRatio ?? NaN,
      prunedTrainAcc: mce?.train.accuracy ?? NaN,
      prunedTestAcc: mce?.test.accuracy ?? NaN,
      maxAbsHidden: maxAbs(run.weights[0]),
      curve: pruned.slice(1).map((p) => ({
        fraction: p.criterion.kind === "fraction" ? p.criterion.fraction : NaN,
        pruningRatio: p.pruningRatio,
        trainAcc: p.train.accuracy,
        testAcc: p.test.accuracy,
      })),
      runKey: run.key,
      cached: run.cached,
    };
    rows.push(row);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const what = m.stopReason === "diverged"
      ? `DIVERGED at step ${m.steps}`
      : `${m.steps} steps (${m.stopReason}), train ${pct(row.trainAcc)}, test ${
        pct(row.testAcc)
      }; mce-${ctx.preset.mceError} pruned ${pct(100 * row.pruningRatio)} → test ${
        pct(row.prunedTestAcc)
      }`;
    ctx.log(`${tag} done${run.cached ? " (cached)" : ` in ${secs} s`}: ${what}`);
    if (i + 1 < runs.length) {
      console.error(
        `${tag} ${etaText(i + 1, runs.length, (performance.now() - sweepStart) / 1000)}`,
      );
    }
  }
  if (ctx.shard) throw new ShardDone(runs.length, all.length, ctx.shard);
  return rows;
}
