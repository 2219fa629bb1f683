/**
 * A training run backed by the results store: a finished run (same config, same code version) is
 * loaded, never recomputed; an unfinished one resumes from its last checkpoint.
 */
import type { Gpu } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import { configKey } from "../store/hash.ts";
import type { ResultStore, RunRecord } from "../store/results.ts";
import { codeVersion } from "../store/version.ts";
import { parseTrainConfig, type TrainConfig } from "./config.ts";
import type { EvalResult } from "./evaluate.ts";
import {
  type Checkpointer,
  DivergedError,
  type EvalPoint,
  train,
  type TrainState,
} from "./trainer.ts";

export interface TrainMetrics {
  steps: number;
  stopReason: "converged" | "max-steps" | "diverged";
  history: EvalPoint[];
  final?: EvalPoint;
  convergedAt?: number;
  /** Evaluation of the averaged iterate (x_mc), when the config asked for one. */
  averaged?: { iterates: number; train: EvalResult; test: EvalResult };
  wallSeconds: number;
  divergence?: string;
}

export interface RunOutcome {
  key: string;
  record: RunRecord;
  metrics: TrainMetrics;
  /** Final weights per layer; empty for a diverged run. */
  weights: Float32Array[];
  /** The averaged iterate's weights, when kept. */
  averagedWeights?: Float32Array[];
  cached: boolean;
}

export interface RunOptions {
  log?: (line: string) => void;
  /** Checkpoint every this many steps (default 500). */
  checkpointEvery?: number;
  haltAfter?: number;
}

export function runKey(config: TrainConfig): string {
  return configKey({ kind: "fcn-train", ...config }, codeVersion());
}

/** Layers stored as `${prefix}0`, `${prefix}1`, … (W: final iterate, A: averaged iterate). */
export function weightsFrom(
  tensors: Record<string, Float32Array | Uint32Array>,
  prefix = "W",
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let l = 0; `${prefix}${l}` in tensors; l++) {
    out.push(tensors[`${prefix}${l}`] as Float32Array);
  }
  return out;
}

function layerTensors(weights: Float32Array[], averaged?: Float32Array[]) {
  return Object.fromEntries([
    ...weights.map((w, l) => [`W${l}`, w]),
    ...(averaged ?? []).map((w, l) => [`A${l}`, w]),
  ]);
}

function storeCheckpointer(store: ResultStore, key: string, every: number): Checkpointer {
  return {
    every,
    async load() {
      const cp = await store.loadCheckpoint(key);
      if (!cp) return undefined;
      const averaged = weightsFrom(cp.tensors, "A");
      return {
        state: cp.meta as TrainState,
        weights: weightsFrom(cp.tensors),
        averaged: averaged.length ? averaged : undefined,
      };
    },
    async save(state, tensors) {
      await store.saveCheckpoint(key, state, layerTensors(tensors.weights, tensors.averaged));
    },
  };
}

export async function trainOrLoad(
  gpu: Gpu,
  store: ResultStore,
  config: TrainConfig,
  loadData: () => Promise<Dataset>,
  opts: RunOptions = {},
): Promise<RunOutcome> {
  const key = runKey(config);
  const existing = await store.get(key);
  if (existing) {
    const metrics = existing.metrics as unknown as TrainMetrics;
    const tensors = metrics.stopReason === "diverged" ? {} : await store.getTensors(key);
    const averagedWeights = weightsFrom(tensors, "A");
    return {
      key,
      record: existing,
      metrics,
      weights: weightsFrom(tensors),
      averagedWeights: averagedWeights.length ? averagedWeights : undefined,
      cached: true,
    };
  }
  const data = await loadData();
  const started = performance.now();
  let metrics: TrainMetrics;
  let weights: Float32Array[] = [];
  let averagedWeights: Float32Array[] | undefined;
  try {
    const result = await train(gpu, config, data, {
      log: opts.log,
      checkpoint: storeCheckpointer(store, key, opts.checkpointEvery ?? 500),
      haltAfter: opts.haltAfter,
    });
    weights = result.weights;
    averagedWeights = result.averaged?.weights;
    metrics = {
      steps: result.steps,
      stopReason: result.stopReason,
      history: result.history,
      final: result.final,
      convergedAt: result.convergedAt,
      averaged: result.averaged &&
        {
          iterates: result.averaged.iterates,
          train: result.averaged.train,
          test: result.averaged.test,
        },
      wallSeconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    if (!(err instanceof DivergedError)) throw err;
    opts.log?.(err.message);
    metrics = {
      steps: err.step + 1,
      stopReason: "diverged",
      history: [],
      wallSeconds: (performance.now() - started) / 1000,
      divergence: err.message,
    };
  }
  const record: RunRecord = {
    key,
    config: { kind: "fcn-train", ...config },
    codeVersion: codeVersion(),
    createdAt: new Date().toISOString(),
    metrics: metrics as unknown as Record<string, unknown>,
    host: { adapter: gpu.describe(), deno: Deno.version.deno, dataSource: data.source },
  };
  await store.put(key, record, layerTensors(weights, averagedWeights));
  await store.clearCheckpoint(key);
  return { key, record, metrics, weights, averagedWeights, cached: false };
}

/** A finished run's config and final weights, from its key. */
export async function loadStoredRun(
  store: ResultStore,
  key: string,
): Promise<{ config: TrainConfig; metrics: TrainMetrics; weights: Float32Array[] } | undefined> {
  const record = await store.get(key);
  if (!record) return undefined;
  const { kind: _kind, ...rest } = record.config as Record<string, unknown>;
  const metrics = record.metrics as unknown as TrainMetrics;
  const weights = metrics.stopReason === "diverged" ? [] : weightsFrom(await store.getTensors(key));
  return { config: parseTrainConfig(rest), metrics, weights };
}
