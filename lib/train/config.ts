/**
 * The configuration of one training run, validated with zod at every boundary (CLI, JSON files,
 * figure presets). Defaults follow the authors' code for 2306.08125 (docs/papers.md §A.3)
 * except where noted.
 */
import { z } from "zod";
import { DATASETS } from "../data/dataset.ts";
import { VGG11_DEPTH } from "../model/vgg.ts";
import { NoiseSettingsSchema } from "../noise/spec.ts";

/** "fcn": bias-free ReLU FCN (default); "vgg11": VGG11 with first-layer width `width`. */
export const MODELS = ["fcn", "vgg11"] as const;

export const TrainConfigSchema = z.object({
  /** Absent means "fcn" (so FCN configs, and their hashes, are as before the CNN existed). */
  model: z.enum(MODELS).optional(),
  dataset: z.enum(DATASETS),
  /** Keep only the first N training / test examples (after the loader's deterministic order). */
  limitTrain: z.number().int().positive().optional(),
  limitTest: z.number().int().positive().optional(),
  /** FCN: hidden units per layer. vgg11: channels of the first conv (128 = `vgg11_wide`). */
  width: z.number().int().positive(),
  /** FCN: number of linear layers, 2 = one hidden layer (the authors' `--depth`). vgg11: 9. */
  depth: z.number().int().min(2).max(16),
  lr: z.number().positive(),
  batchSize: z.number().int().positive(),
  /** Full train/test evaluation every this many steps (authors: 100, 10 for ECG5000). */
  evalEvery: z.number().int().positive(),
  maxSteps: z.number().int().positive(),
  /** Stop at the first evaluation with train accuracy ≥ this (percent). */
  convergenceAccuracy: z.number().gt(0).lte(100),
  /** Validated by lib/noise/spec.ts (the one definition of valid noise settings). */
  noise: NoiseSettingsSchema,
  seed: z.number().int().min(0).max(0xffffffff),
  /**
   * "accuracy" (2306.08125, default): stop at the first evaluation with train accuracy ≥
   * convergenceAccuracy. "loss" (2106.03795): first convergence when train loss < lossThreshold
   * and train accuracy is 100%, then train `extraSteps` more steps.
   */
  stopRule: z.enum(["accuracy", "loss"]).optional(),
  lossThreshold: z.number().positive().optional(),
  extraSteps: z.number().int().min(0).optional(),
  /** Keep the running mean of the last `averageSteps`+1 post-step iterates (2106.03795's x_mc). */
  averageSteps: z.number().int().min(0).optional(),
}).strict();

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type NoiseConfig = z.infer<typeof NoiseSettingsSchema>;

export const DEFAULT_CONFIG: TrainConfig = {
  dataset: "mnist",
  width: 5000,
  depth: 2,
  lr: 0.01,
  batchSize: 5000,
  evalEvery: 100,
  maxSteps: 100000,
  convergenceAccuracy: 95,
  noise: { type: 0, alpha: 2, sigma: 0 },
  seed: 1,
};

/** Validates a candidate config; the error names every bad field. */
export function parseTrainConfig(candidate: unknown): TrainConfig {
  const result = TrainConfigSchema.safeParse(candidate);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`invalid training config:\n${lines.join("\n")}`);
  }
  const cfg = result.data;
  if (cfg.model === "fcn") delete cfg.model; // canonical, for hashing
  if (cfg.model === "vgg11" && cfg.depth !== VGG11_DEPTH) {
    throw new Error(
      `invalid training config:\n  depth: vgg11 has ${VGG11_DEPTH} weight layers (8 conv + 1 linear), got ${cfg.depth}`,
    );
  }
  if (cfg.noise.type === 0) cfg.noise = { type: 0, alpha: 2, sigma: 0 }; // canonical, for hashing
  return cfg;
}

/** A short human label, e.g. "SGD" or "Type I α=1.75 σ=0.003". */
export function noiseLabel(noise: NoiseConfig): string {
  if (noise.type === 0) return "SGD";
  return `Type ${["", "I", "II", "III"][noise.type]} α=${noise.alpha} σ=${noise.sigma}`;
}
