/**
 * Train (or load) a run, then prune it under several criteria and evaluate, with the pruning
 * results cached in the store too (keyed by the run key, the criteria and the code version).
 */
import { z } from "zod";
import type { Gpu } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import { pruneAndEvaluate, type PrunedEvaluation } from "../prune/evaluate.ts";
import type { LayerPruning, PruneCriterion } from "../prune/columns.ts";
import { cached, recordKey, type RecordSpec, storedNumber, writeCached } from "../store/cache.ts";
import { RECORD_KINDS } from "../store/kinds.ts";
import { type ResultStore, RunExistsError } from "../store/results.ts";
import type { TrainConfig } from "../train/config.ts";
import { EvalResultSchema } from "../train/metrics.ts";
import { type RunOptions, type RunOutcome, trainOrLoad } from "../train/run.ts";
import { modelSpecFor } from "../train/model_for.ts";

const PruneCriterionSchema: z.ZodType<PruneCriterion> = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("mce"), error: z.number() }),
  z.strictObject({ kind: z.literal("fraction"), fraction: z.number() }),
]);

const LayerPruningSchema: z.ZodType<LayerPruning> = z.strictObject({
  layer: z.number().int(),
  units: z.number().int(),
  pruned: z.number().int(),
  rowLength: z.number().int(),
  relativeError: storedNumber,
});

const PrunedEvaluationSchema: z.ZodType<PrunedEvaluation> = z.strictObject({
  criterion: PruneCriterionSchema,
  pruningRatio: storedNumber,
  layers: z.array(LayerPruningSchema),
  train: EvalResultSchema,
  test: EvalResultSchema,
});

/** A pruning record: one evaluation per criterion, in the order of `config.criteria`. */
export const PRUNE_RECORD: RecordSpec<{ pruned: PrunedEvaluation[] }> = {
  kind: RECORD_KINDS.prune,
  schema: z.strictObject({ pruned: z.array(PrunedEvaluationSchema) }),
};

/** What a pruning record depends on (and its config): the run and the criteria. */
function pruneKeyParts(runKey: string, criteria: PruneCriterion[]) {
  return { run: runKey, criteria };
}

/** The store key of the pruning record of run `runKey` under `criteria`. */
export function pruneKey(runKey: string, criteria: PruneCriterion[]): string {
  return recordKey(PRUNE_RECORD.kind, pruneKeyParts(runKey, criteria));
}

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
  const { pruned } = await cached(store, {
    ...PRUNE_RECORD,
    keyParts: pruneKeyParts(run.key, criteria),
    log: opts.log,
    compute: async () => {
      const ds = await getData();
      const spec = modelSpecFor(config, ds);
      return {
        pruned: await pruneAndEvaluate(gpu, spec, run.weights, ds, criteria, config.batchSize),
      };
    },
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
  const key = pruneKey(runKey, criteria);
  if (await store.has(key)) return;
  try {
    await writeCached(store, key, PRUNE_RECORD, {
      config: pruneKeyParts(runKey, criteria),
      metrics: { pruned },
    });
  } catch (err) {
    // Another process stored the same pruning meanwhile (same run, criteria and code): kept.
    if (!(err instanceof RunExistsError)) throw err;
  }
}
