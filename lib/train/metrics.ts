/**
 * The metrics a run's record stores, as zod schemas (the types are inferred from them): a
 * training run's (kinds "fcn-train" and "vgg-train") and an imported network's. Fields are
 * listed in the order the trainer writes them, so a record read back prints as it was written.
 */
import { z } from "zod";
import type { EvalResult } from "../model/evaluate.ts";
import { type RecordSpec, storedNumber } from "../store/cache.ts";
import { RECORD_KINDS } from "../store/kinds.ts";
import type { TrainConfig } from "./config.ts";

const count = z.number().int().nonnegative();

export const EvalResultSchema: z.ZodType<EvalResult> = z.strictObject({
  loss: storedNumber,
  /** Percent. */
  accuracy: storedNumber,
});

/** One full evaluation during training (post-step, pre-noise). */
export const EvalPointSchema = z.strictObject({
  step: count,
  trainLoss: storedNumber,
  trainAcc: storedNumber,
  testLoss: storedNumber,
  testAcc: storedNumber,
  /** Mean loss of this step's minibatch (before the step's update). */
  batchLoss: storedNumber,
});
export type EvalPoint = z.infer<typeof EvalPointSchema>;

export const TrainMetricsSchema = z.strictObject({
  steps: count,
  stopReason: z.enum(["converged", "max-steps", "diverged"]),
  history: z.array(EvalPointSchema),
  final: EvalPointSchema.optional(),
  convergedAt: count.optional(),
  /** Evaluation of the averaged iterate (x_mc), when the config asked for one. */
  averaged: z.strictObject({ iterates: count, train: EvalResultSchema, test: EvalResultSchema })
    .optional(),
  wallSeconds: storedNumber,
  /** Why a diverged run stopped. */
  divergence: z.string().optional(),
});
export type TrainMetrics = z.infer<typeof TrainMetricsSchema>;

/** An imported network was trained elsewhere: it has no history. */
export const ImportedMetricsSchema = z.strictObject({
  stopReason: z.literal("imported"),
  history: z.tuple([]),
});
export type ImportedMetrics = z.infer<typeof ImportedMetricsSchema>;

export const FCN_TRAIN_RECORD: RecordSpec<TrainMetrics> = {
  kind: RECORD_KINDS.fcnTrain,
  schema: TrainMetricsSchema,
};
export const VGG_TRAIN_RECORD: RecordSpec<TrainMetrics> = {
  kind: RECORD_KINDS.vggTrain,
  schema: TrainMetricsSchema,
};
export const IMPORTED_RECORD: RecordSpec<ImportedMetrics> = {
  kind: RECORD_KINDS.imported,
  schema: ImportedMetricsSchema,
};

/** The record kind of a run of `config`: each model its own. */
export function trainRecordFor(config: Pick<TrainConfig, "model">): RecordSpec<TrainMetrics> {
  return config.model === "vgg11" ? VGG_TRAIN_RECORD : FCN_TRAIN_RECORD;
}
