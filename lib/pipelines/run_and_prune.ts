/**
 * Train (or load) a run, then prune it under several criteria and evaluate, with the pruning
 * results cached in the store too (keyed by the run key, the criteria and the code version).
 */
import type { Gpu } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import { pruneAndEvaluate, type PrunedEvaluation } from "../prune/evaluate.ts";
import type { PruneCriterion } from "../prune/columns.ts";
import { configKey } from "../store/hash.ts";
import type { ResultStore } from "../store/results.ts";
import { codeVersion } from "../store/version.ts";
import type { TrainConfig } from "../train/config.ts";
import { type RunOptions, type RunOutcome, trainOrLoad } from "../train/run.ts";
import { modelSpecFor } from "../train/model_for.ts";

export interface RunAndPrune {
  run: RunOutcome;
  /** One entry per criterion, in order; empty when the run diverged. */
  pruned: PrunedEvaluation[];
}

export async function runAndPrune(
  gpu: Gpu,
  store: ResultStore,
  config: TrainConfig,
  criteria: PruneCriterion[],
  loadData: () => Promise<Dataset>,
  opts: RunOptions = {},
): Promise<RunAndPrune> {
  let data: Dataset | undefined;
  const getData = async () => (data ??= await loadData());
  const run = await trainOrLoad(gpu, store, config, getData, opts);
  if (run.metrics.stopReason === "diverged") return { run, pruned: [] };
  const key = configKey({ kind: "prune", run: run.key, criteria }, codeVersion());
  const cached = await store.getVerified(key, opts.log);
  if (cached) return { run, pruned: cached.metrics.pruned as PrunedEvaluation[] };
  const ds = await getData();
  const pruned = await pruneAndEvaluate(
    gpu,
    modelSpecFor(config, ds),
    run.weights,
    ds,
    criteria,
    config.batchSize,
  );
  await store.put(key, {
    key,
    config: { kind: "prune", run: run.key, criteria },
    codeVersion: codeVersion(),
    createdAt: new Date().toISOString(),
    metrics: { pruned },
  });
  return { run, pruned };
}

/**
 * Stores pruning results computed outside `runAndPrune` (e.g. by `deno task prune`) under the
 * same key `runAndPrune` uses, so `deno task runs` shows them; an existing record is kept.
 */
export async function storePruneResults(
  store: ResultStore,
  runKey: string,
  criteria: PruneCriterion[],
  pruned: PrunedEvaluation[],
): Promise<void> {
  const key = configKey({ kind: "prune", run: runKey, criteria }, codeVersion());
  if (await store.has(key)) return;
  await store.put(key, {
    key,
    config: { kind: "prune", run: runKey, criteria },
    codeVersion: codeVersion(),
    createdAt: new Date().toISOString(),
    metrics: { pruned },
  });
}
