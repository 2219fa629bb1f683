/**
 * Mean ± sd over seeds of the run rows, per (dataset, width, method, α), and the paired gain of a
 * heavy-tailed method over SGD (same dataset, width and seed). Percentages throughout: accuracies
 * are already in %, pruning ratios are converted from fractions.
 */
import { groupSummaries, type Summary, summaryColumns } from "./mean_sd.ts";
import type { Effect } from "./verdict.ts";
import { isCollapsed } from "./collapse.ts";
import { robustSummary } from "./robust_summary.ts";
import type { DatasetPreset } from "./presets.ts";
import type { Method, RunGroup, RunRow } from "./figure_runs.ts";

export interface GroupStats extends RunGroup {
  /** Seeds in the group, and how many of them diverged (those count as missing). */
  seeds: number[];
  diverged: number;
  /** Runs that collapsed (collapse.ts: ≥ 80% pruned and > 20 pp accuracy lost). */
  collapsed: number;
  /** Percent of hidden units removed by mce pruning. */
  pruningRatio: Summary;
  prunedTestAcc: Summary;
  prunedTrainAcc: Summary;
  testAcc: Summary;
  trainAcc: Summary;
  steps: Summary;
}

const groupKey = (r: RunRow) => `${r.dataset}|${r.width}|${r.method}|${r.alpha ?? "-"}`;

export function aggregateRuns(rows: RunRow[]): GroupStats[] {
  return groupSummaries(rows, groupKey, {
    pruningRatio: (r) => 100 * r.pruningRatio,
    prunedTestAcc: (r) => r.prunedTestAcc,
    prunedTrainAcc: (r) => r.prunedTrainAcc,
    testAcc: (r) => r.testAcc,
    trainAcc: (r) => r.trainAcc,
    steps: (r) => (r.stopReason === "diverged" ? NaN : r.steps),
  }).map(({ key, first, stats }) => {
    const members = rows.filter((r) => groupKey(r) === key);
    return {
      dataset: first.dataset,
      datasetLabel: first.datasetLabel,
      width: first.width,
      method: first.method,
      alpha: first.alpha,
      sigma: first.sigma,
      seeds: members.map((r) => r.seed),
      diverged: members.filter((r) => r.stopReason === "diverged").length,
      collapsed: members.filter(isCollapsed).length,
      pruningRatio: stats.pruningRatio,
      prunedTestAcc: stats.prunedTestAcc,
      prunedTrainAcc: stats.prunedTrainAcc,
      testAcc: stats.testAcc,
      trainAcc: stats.trainAcc,
      steps: stats.steps,
    };
  });
}

export interface GainStats {
  dataset: string;
  width: number;
  method: Method;
  alpha: number | null;
  /** Pruning ratio of the method minus SGD's, in percentage points, paired by seed (`paired`
   * holds the per-seed gains for the rank rule). */
  gain: Effect;
  /** The gain of each seed (seeds whose SGD or method run is missing are left out). */
  perSeed: Map<number, number>;
}

/** Paired (by seed) pruning-ratio gain of each heavy-tailed group over SGD at the same width. */
export function pairedGains(rows: RunRow[]): GainStats[] {
  const sgd = new Map<string, number>();
  for (const r of rows) {
    if (r.method === "SGD") sgd.set(`${r.dataset}|${r.width}|${r.seed}`, r.pruningRatio);
  }
  const ht = rows.filter((r) => r.method !== "SGD");
  const gainOf = (r: RunRow) =>
    100 * (r.pruningRatio - (sgd.get(`${r.dataset}|${r.width}|${r.seed}`) ?? NaN));
  return groupSummaries(ht, groupKey, { gain: gainOf }).map(({ key, first, stats }) => {
    const perSeed = new Map<number, number>();
    for (const r of ht) {
      if (groupKey(r) === key && Number.isFinite(gainOf(r))) perSeed.set(r.seed, gainOf(r));
    }
    return {
      dataset: first.dataset,
      width: first.width,
      method: first.method,
      alpha: first.alpha,
      gain: { ...stats.gain, paired: stats.gain.values },
      perSeed,
    };
  });
}

export interface CurveStats {
  dataset: string;
  datasetLabel: string;
  width: number;
  method: Method;
  alpha: number | null;
  /** Percent of hidden units pruned (the realised ⌊f·n⌋/n). */
  pruned: number;
  testAcc: Summary;
  trainAcc: Summary;
}

/** Mean ± sd over seeds of the test accuracy at each pruned fraction. */
export function aggregateCurves(rows: RunRow[]): CurveStats[] {
  const points = rows.flatMap((r) => r.curve.map((p) => ({ r, pruned: 100 * p.pruningRatio, p })));
  return groupSummaries(points, (x) => `${groupKey(x.r)}|${x.pruned}`, {
    testAcc: (x) => x.p.testAcc,
    trainAcc: (x) => x.p.trainAcc,
  }).map(({ first, stats }) => ({
    dataset: first.r.dataset,
    datasetLabel: first.r.datasetLabel,
    width: first.r.width,
    method: first.r.method,
    alpha: first.r.alpha,
    pruned: first.pruned,
    testAcc: stats.testAcc,
    trainAcc: stats.trainAcc,
  }));
}

/** The summaries of a group, by field. */
export type GroupSummary = "pruningRatio" | "prunedTestAcc" | "testAcc" | "trainAcc" | "steps";

/** A summary's CSV column stem (the pruning ratio is in %). */
const CSV_STEM: Record<GroupSummary, string> = {
  pruningRatio: "pruningRatioPct",
  prunedTestAcc: "prunedTestAcc",
  testAcc: "testAcc",
  trainAcc: "trainAcc",
  steps: "steps",
};

/**
 * One CSV row of a group: its keys, the summaries asked for (in that order), `extra` columns, and
 * the diverged count (the figure adds its provenance columns).
 */
export function groupCsvRow(
  g: GroupStats,
  summaries: GroupSummary[] = ["pruningRatio", "prunedTestAcc", "testAcc", "trainAcc", "steps"],
  extra: Record<string, number | null> = {},
): Record<string, string | number | null> {
  return {
    dataset: g.dataset,
    width: g.width,
    method: g.method,
    alpha: g.alpha,
    sigma: g.sigma,
    ...Object.assign({}, ...summaries.map((f) => summaryColumns(CSV_STEM[f], g[f]))),
    ...robustColumns("pruningRatioPct", g.pruningRatio),
    ...extra,
    diverged: g.diverged,
    collapsed: g.collapsed ?? null,
  };
}

/** <name>Median, <name>Q1, <name>Q3 over the per-seed values of a summary (empty without). */
export function robustColumns(name: string, s: Summary): Record<string, number | null> {
  const r = robustSummary(s.values ?? []);
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  return { [`${name}Median`]: num(r.median), [`${name}Q1`]: num(r.q1), [`${name}Q3`]: num(r.q3) };
}

/** A dataset's groups at its main width (the α sweep, the curves and the table). */
export function mainWidthGroups(stats: GroupStats[], ds: DatasetPreset): GroupStats[] {
  return stats.filter((g) => g.dataset === ds.id && g.width === ds.width);
}

/** A dataset's paired gains of one method, by increasing width (groups with values only). */
export function gainsByWidth(gains: GainStats[], ds: DatasetPreset, method: Method): GainStats[] {
  return gains.filter((x) => x.dataset === ds.id && x.method === method && x.gain.n > 0)
    .sort((a, b) => a.width - b.width);
}

/** "<dataset>: k run(s) diverged and are left out.", when any did. */
export function divergedLines(ds: DatasetPreset, groups: GroupStats[]): string[] {
  const diverged = groups.reduce((a, g) => a + g.diverged, 0);
  return diverged ? [`${ds.id}: ${diverged} run(s) diverged and are left out.`] : [];
}
