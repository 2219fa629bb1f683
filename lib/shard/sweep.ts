/**
 * Running one shard's share of a sweep grid: train (or load) and prune (mce) each of its points
 * through the cached pipeline of run_and_prune.ts, in grid order, one result per point.
 *
 * Faults lose nothing: finished runs are in the store (record written last), an interrupted run
 * resumes from its last checkpoint, and a failure stops the sweep at once with an error that
 * names the run and the cause (a WriteError names the path; a lost GPU device says so). Rerunning
 * the same command continues where it stopped; the job schedulers' retries (SLURM --requeue,
 * Kubernetes backoffLimitPerIndex) do exactly that.
 */
import type { Dataset } from "../data/dataset.ts";
import { pruneKey, runAndPrune } from "../pipelines/run_and_prune.ts";
import type { Gpu } from "../gpu/runtime.ts";
import type { PruneCriterion } from "../prune/columns.ts";
import { type ResultStore, RunExistsError } from "../store/results.ts";
import { noiseLabel, type TrainConfig } from "../train/config.ts";
import { dataRecordFor, runKey } from "../train/run.ts";
import { datasetFor } from "../data/for_config.ts";
import type { GridPoint } from "./grid.ts";
import { checkStoreWritable, removeTempFiles } from "../store/hygiene.ts";
import { ALL, type Assignment, formatShard, type Shard, shareOf } from "./shard.ts";

/** The GPU device was lost (driver reset, hardware fault, `device.destroy()`). */
export class DeviceLostError extends Error {
  constructor(readonly reason: string, options?: ErrorOptions) {
    super(`GPU device lost (${reason})`, options);
    this.name = "DeviceLostError";
  }
}

/** One point of the sweep failed; `cause` is the underlying error. */
export class SweepRunError extends Error {
  constructor(readonly point: GridPoint, cause: Error, readonly runKey?: string) {
    super(
      `run ${runKey ?? `with config key ${point.configKey}`} (grid point ${point.index}${
        point.label ? `: ${point.label}` : ""
      }) failed: ${cause.message}\nfinished runs are kept; rerun the same command to resume ` +
        `this one from its last checkpoint`,
      { cause },
    );
    this.name = "SweepRunError";
  }
}

export interface SweepResult {
  key: string;
  pruneKey?: string;
  index: number;
  label: string;
  values: Record<string, unknown>;
  shard: string;
  cached: boolean;
  steps: number;
  stopReason: string;
  trainAcc?: number;
  testAcc?: number;
  mce?: { error: number; pruningRatio: number; trainAcc: number; testAcc: number };
}

export interface SweepSummary {
  shard: string;
  /** Points in the whole grid, and in this shard's share. */
  total: number;
  share: number;
  trained: number;
  cached: number;
  results: SweepResult[];
}

export interface SweepOptions {
  shard?: Shard;
  /** How points are dealt to shards (default "hash"; see shard.ts). */
  assignment?: Assignment;
  /** Error of the mce pruning criterion (default 0.1). */
  mceError?: number;
  /** Checkpoint every this many steps (default: trainOrLoad's 500). */
  checkpointEvery?: number;
  /** Read dataset files from this folder (see lib/data/mod.ts). */
  dataDir?: string;
  /** Replaces `datasetFor` (tests). */
  loadData?: (config: TrainConfig) => Promise<Dataset>;
  /** Progress lines (one per point, plus a header and a summary). */
  log?: (line: string) => void;
  /** The trainer's own lines (evaluations, resumes), with the point they belong to. */
  trainLog?: (line: string, point: GridPoint) => void;
  /** Called with each point's result as soon as it is done. */
  onResult?: (result: SweepResult) => void;
}

/** What the dataset of a config depends on (synthetic data is seeded by the run seed). */
function dataKey(c: TrainConfig): string {
  const seeded = c.dataset === "synthetic";
  return JSON.stringify([c.dataset, c.limitTrain, c.limitTest, seeded ? c.seed : null]);
}

/** The device-loss reason, if the device is lost (waits briefly for the lost promise). */
async function lostReason(gpu: Gpu): Promise<string | undefined> {
  if (gpu.lost) return gpu.lost;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const info = await Promise.race([
    gpu.device.lost,
    new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), 50)),
  ]);
  clearTimeout(timer);
  return gpu.lost ?? (info ? `${info.reason}: ${info.message}` : undefined);
}

function describe(c: TrainConfig): string {
  return `${c.dataset} w${c.width} d${c.depth} ${noiseLabel(c.noise)} seed ${c.seed}`;
}

type PointOutcome = Awaited<ReturnType<typeof runAndPrune>>;

/**
 * Trains (or loads) one grid point and prunes it; a run another worker finished first is loaded.
 * Any failure becomes a SweepRunError naming the point (and the device loss behind it, if any).
 */
async function runPoint(
  gpu: Gpu,
  store: ResultStore,
  point: GridPoint,
  criteria: PruneCriterion[],
  getData: () => Promise<Dataset>,
  runOpts: Parameters<typeof runAndPrune>[5],
): Promise<PointOutcome> {
  let key: string | undefined;
  try {
    key = runKey(point.config, dataRecordFor(point.config, await getData()));
    try {
      return await runAndPrune(gpu, store, point.config, criteria, getData, runOpts);
    } catch (err) {
      // Another worker on the same store finished this run first: load its result.
      if (!(err instanceof RunExistsError)) throw err;
      return await runAndPrune(gpu, store, point.config, criteria, getData, runOpts);
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const lost = await lostReason(gpu);
    throw new SweepRunError(point, lost ? new DeviceLostError(lost, { cause: e }) : e, key);
  }
}

/** The summary row of one finished point. */
function sweepResult(
  point: GridPoint,
  { run, pruned }: PointOutcome,
  criteria: PruneCriterion[],
  shard: string,
): SweepResult {
  const m = run.metrics;
  const p = pruned[0];
  return {
    key: run.key,
    pruneKey: p ? pruneKey(run.key, criteria) : undefined,
    index: point.index,
    label: point.label,
    values: point.values,
    shard,
    cached: run.cached,
    steps: m.steps,
    stopReason: m.stopReason,
    trainAcc: m.final?.trainAcc,
    testAcc: m.final?.testAcc,
    mce: p && {
      error: criteria[0].kind === "mce" ? criteria[0].error : NaN,
      pruningRatio: p.pruningRatio,
      trainAcc: p.train.accuracy,
      testAcc: p.test.accuracy,
    },
  };
}

/** "cached, 30 steps (max-steps), test 81.00%, mce prunes 12.5%". */
function outcomeText({ run, pruned }: PointOutcome): string {
  const m = run.metrics;
  const p = pruned[0];
  return `${run.cached ? "cached" : "trained"}, ${m.steps} steps (${m.stopReason})` +
    (m.final ? `, test ${m.final.testAcc.toFixed(2)}%` : "") +
    (p ? `, mce prunes ${(100 * p.pruningRatio).toFixed(1)}%` : "");
}

/** Runs the points of `points` that belong to `opts.shard`; see the module comment. */
export async function runSweep(
  gpu: Gpu,
  store: ResultStore,
  points: readonly GridPoint[],
  opts: SweepOptions = {},
): Promise<SweepSummary> {
  const log = opts.log ?? (() => {});
  const shard = opts.shard ?? ALL;
  const shardText = formatShard(shard);
  const share = shareOf(points, (p) => p.shardKey, shard, opts.assignment);
  const criteria: PruneCriterion[] = [{ kind: "mce", error: opts.mceError ?? 0.1 }];
  await checkStoreWritable(store.dir);
  const stale = await removeTempFiles(store.dir);
  if (stale.length) log(`removed ${stale.length} stale temp file(s) left by killed processes`);
  log(`shard ${shardText}: ${share.length} of ${points.length} grid points → ${store.dir}`);

  const load = opts.loadData ?? ((c: TrainConfig) => datasetFor(c, { dataDir: opts.dataDir, log }));
  let data: { key: string; value: Promise<Dataset> } | undefined;
  const summary: SweepSummary = {
    shard: shardText,
    total: points.length,
    share: share.length,
    trained: 0,
    cached: 0,
    results: [],
  };
  for (const [i, point] of share.entries()) {
    const getData = () => {
      const which = dataKey(point.config);
      if (data?.key !== which) data = { key: which, value: load(point.config) };
      return data.value;
    };
    const runOpts = {
      checkpointEvery: opts.checkpointEvery,
      log: (line: string) => opts.trainLog?.(line, point),
    };
    const out = await runPoint(gpu, store, point, criteria, getData, runOpts);
    const { run } = out;
    const tag = `[${i + 1}/${share.length}] ${describe(point.config)} (${run.key})`;
    // A kill between the record and the checkpoint's removal leaves a stale checkpoint.
    if (run.cached) await store.clearCheckpoint(run.key);
    const result = sweepResult(point, out, criteria, shardText);
    if (run.cached) summary.cached++;
    else summary.trained++;
    summary.results.push(result);
    log(`${tag}: ${outcomeText(out)}`);
    opts.onResult?.(result);
  }
  log(
    `shard ${shardText} done: ${share.length} runs (${summary.trained} trained, ` +
      `${summary.cached} cached)`,
  );
  return summary;
}
