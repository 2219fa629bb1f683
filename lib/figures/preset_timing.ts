/**
 * The measured wall time of a preset, read back from the training records in the store: every
 * run of the preset (2306.08125's runs and the 2106.03795 sweep) whose record holds the same
 * config and this code version. Two numbers, because runs may have been trained by several
 * processes at once (shards) and over several sittings:
 *   - span: from the earliest training start (record time − its training seconds) to the latest
 *     record time, i.e. the wall clock from the first run to the last;
 *   - busy: the length of the union of the runs' training intervals [start, record time], i.e.
 *     the wall clock during which at least one run was training; unlike the span it leaves out
 *     idle gaps between sittings, and unlike the sum it counts concurrent runs once;
 *   - summed training seconds over the runs (each run's own timer; excludes pruning).
 * Records are created when a run finishes, so this is what the store can prove, not a figure
 * typed in by hand.
 */
import { canonicalJson } from "../store/hash.ts";
import type { ResultStore } from "../store/results.ts";
import { codeVersion } from "../store/version.ts";
import { isTrainedKind } from "../store/kinds.ts";
import { companionConfigs } from "../pipelines/companion_sweep.ts";
import { formatDuration } from "./common/cost_model.ts";
import { presetRuns } from "./common/figure_runs.ts";
import type { FigurePreset } from "./common/presets.ts";
import { companionPresetOf } from "./heavy_tails/presets.ts";

export interface PresetTiming {
  /** Runs of the preset with a training record in the store (of `expected`). */
  found: number;
  expected: number;
  /** Summed training seconds of the found runs. */
  trainSeconds: number;
  /** First training start to last record, in seconds. */
  spanSeconds: number;
  /** Length of the union of the runs' training intervals, in seconds (≤ span, ≤ sum). */
  busySeconds: number;
  first?: string;
  last?: string;
}

/** A training record's fields the timing reads. */
export interface TimedRecord {
  config: unknown;
  codeVersion: string;
  createdAt: string;
  metrics: Record<string, unknown>;
}

/** The canonical configs of every training run of a preset with seeds `seeds`. */
export function presetConfigs(preset: FigurePreset, seeds: number[]): string[] {
  const specs = presetRuns(preset, seeds);
  const companion = companionPresetOf(preset.name);
  const configs = [
    ...specs.map((s) => s.config),
    ...(companion ? companionConfigs(companion).map((c) => c.config) : []),
  ];
  return [...new Set(configs.map((c) => canonicalJson(c)))];
}

/**
 * The canonical TrainConfig of a training record made by code version `version`, or undefined
 * for any other record. A training record's config is the TrainConfig under its kind
 * ("fcn-train"); other kinds (pruning, analyses, imports) are not training runs.
 */
export function trainedConfigKey(
  r: Pick<TimedRecord, "config" | "codeVersion">,
  version: string,
): string | undefined {
  if (r.codeVersion !== version) return undefined;
  if (typeof r.config !== "object" || r.config === null || Array.isArray(r.config)) {
    return undefined;
  }
  const { kind, ...trainConfig } = r.config as Record<string, unknown>;
  if (!isTrainedKind(kind)) return undefined;
  try {
    return canonicalJson(trainConfig);
  } catch {
    return undefined;
  }
}

/** The timing of the records among `records` that train one of `configs` at `version`. */
export function timingOf(
  records: TimedRecord[],
  configs: string[],
  version: string,
): PresetTiming {
  const wanted = new Set(configs);
  const seen = new Set<string>();
  let trainSeconds = 0;
  const intervals: [number, number][] = [];
  for (const r of records) {
    const wall = r.metrics.wallSeconds;
    const t = Date.parse(r.createdAt);
    if (typeof wall !== "number" || !Number.isFinite(wall) || !Number.isFinite(t)) continue;
    const config = trainedConfigKey(r, version);
    if (config === undefined || !wanted.has(config) || seen.has(config)) continue;
    seen.add(config);
    trainSeconds += wall;
    intervals.push([t - wall * 1000, t]);
  }
  const found = seen.size;
  const start = Math.min(...intervals.map((i) => i[0]));
  const end = Math.max(...intervals.map((i) => i[1]));
  return {
    found,
    expected: wanted.size,
    trainSeconds,
    spanSeconds: found ? (end - start) / 1000 : 0,
    busySeconds: unionLength(intervals) / 1000,
    first: found ? new Date(start).toISOString() : undefined,
    last: found ? new Date(end).toISOString() : undefined,
  };
}

/** The total length covered by `intervals` ([start, end] pairs), overlaps counted once. */
export function unionLength(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of sorted) {
    if (a > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else curEnd = Math.max(curEnd, b);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

/** The timing of `preset` from `store`. */
export async function presetTiming(
  store: ResultStore,
  preset: FigurePreset,
  seeds: number[],
): Promise<PresetTiming> {
  const records = (await store.list()) as TimedRecord[];
  return timingOf(records, presetConfigs(preset, seeds), codeVersion());
}

/** The timing as one report line. */
export function timingLine(t: PresetTiming): string {
  if (t.found === 0) return "No training record of this preset in the store to time.";
  const iso = (s?: string) => s?.replace(/(\.\d+)?Z$/, "").replace("T", " ");
  return `Measured training wall time of this preset, from its ${t.found} of ${t.expected} ` +
    `training records in the store: ${formatDuration(t.busySeconds)} with at least one run ` +
    `training (the union of the runs' training intervals), within a span of ` +
    `${formatDuration(t.spanSeconds)} from the first run's start (${iso(t.first)} UTC) to the ` +
    `last run's end (${iso(t.last)} UTC); ${formatDuration(t.trainSeconds)} of training summed ` +
    "over the runs (several processes may train at once, so the sum can exceed the wall time; " +
    "idle gaps between sittings, and pruning and analysis between runs, are in the span only).";
}
