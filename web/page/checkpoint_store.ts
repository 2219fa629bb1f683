/// <reference lib="dom" />
/**
 * The page's last checkpoint, kept across page reloads: IndexedDB in the browser (typed arrays
 * are stored as they are, no encoding), a structured-clone copy in memory for tests under Deno.
 * What comes back from storage is validated before a run resumes from it: the config must be a
 * valid page config for its settings, and every weight matrix must have its layer's size.
 */
import type { Dataset } from "../../lib/data/dataset.ts";
import { modelShapes } from "../../lib/model/model.ts";
import { parseTrainConfig, type TrainConfig } from "../../lib/train/config.ts";
import { modelSpecFor } from "../../lib/train/model_for.ts";
import type { Resumed } from "../../lib/train/trainer.ts";
import { configFor, type RunSettings } from "./run.ts";

export const STORED_VERSION = 1;
/** Where the page keeps it, for messages. */
export const STORE_NAME = "IndexedDB htsgd/checkpoints";

export interface StoredCheckpoint extends Resumed {
  version: typeof STORED_VERSION;
  settings: RunSettings;
  config: TrainConfig;
  /** ISO time of the save. */
  savedAt: string;
}

export interface CheckpointStore {
  /** The stored record as it comes back (unvalidated), or undefined when there is none. */
  read(): Promise<unknown>;
  write(c: StoredCheckpoint): Promise<void>;
  clear(): Promise<void>;
}

/** Keeps a structured clone, as IndexedDB does (for tests, and where IndexedDB is missing). */
export class MemoryStore implements CheckpointStore {
  #value?: StoredCheckpoint;
  read(): Promise<unknown> {
    return Promise.resolve(this.#value && structuredClone(this.#value));
  }
  write(c: StoredCheckpoint): Promise<void> {
    this.#value = structuredClone(c);
    return Promise.resolve();
  }
  clear(): Promise<void> {
    this.#value = undefined;
    return Promise.resolve();
  }
}

const DB = "htsgd";
const OBJECTS = "checkpoints";
const KEY = "last";

/** One record under a fixed key in the browser's IndexedDB. */
export class IndexedDbStore implements CheckpointStore {
  #db?: Promise<IDBDatabase>;

  #open(): Promise<IDBDatabase> {
    return this.#db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(OBJECTS);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(new Error(`${STORE_NAME}: cannot open (${req.error?.message})`));
    });
  }

  async #run<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.#open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(OBJECTS, mode);
      const req = op(tx.objectStore(OBJECTS));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(new Error(`${STORE_NAME}: ${tx.error?.message ?? "failed"}`));
      tx.onabort = () => reject(new Error(`${STORE_NAME}: ${tx.error?.message ?? "aborted"}`));
    });
  }

  read(): Promise<unknown> {
    return this.#run("readonly", (s) => s.get(KEY));
  }
  async write(c: StoredCheckpoint): Promise<void> {
    await this.#run("readwrite", (s) => s.put(c, KEY));
  }
  async clear(): Promise<void> {
    await this.#run("readwrite", (s) => s.delete(KEY));
  }
}

function fail(what: string): never {
  throw new Error(`the checkpoint saved in this browser (${STORE_NAME}) ${what}; it was not used`);
}

function checkArrays(arrays: unknown, sizes: number[], what: string): Float32Array[] {
  if (!Array.isArray(arrays) || arrays.length !== sizes.length) {
    fail(`has ${Array.isArray(arrays) ? arrays.length : "no"} ${what}, expected ${sizes.length}`);
  }
  return arrays.map((a, l) => {
    if (!(a instanceof Float32Array) || a.length !== sizes[l]) {
      fail(`${what} ${l} is not ${sizes[l]} float32 values`);
    }
    return a;
  });
}

/**
 * The record read back from storage, checked: its version, settings whose page config is its
 * config, a step within the config's budget, a history, and weights (and averaged weights, when
 * present) of the layer sizes the config gives on `data`. Throws an error naming what is wrong.
 */
export function parseStoredCheckpoint(raw: unknown, data: Dataset): StoredCheckpoint {
  if (typeof raw !== "object" || raw === null) fail("is not a record");
  const r = raw as Partial<StoredCheckpoint>;
  if (r.version !== STORED_VERSION) fail(`has version ${r.version}, expected ${STORED_VERSION}`);
  if (typeof r.settings !== "object" || r.settings === null) fail("has no settings");
  let config: TrainConfig;
  try {
    config = parseTrainConfig(r.config);
  } catch (err) {
    fail(`has an invalid config: ${(err as Error).message}`);
  }
  let expected: TrainConfig;
  try {
    expected = configFor(r.settings);
  } catch (err) {
    fail(`has invalid settings: ${(err as Error).message}`);
  }
  if (JSON.stringify(config) !== JSON.stringify(expected)) {
    fail("has a config that its settings do not give");
  }
  const state = r.state;
  if (
    typeof state !== "object" || state === null || !Number.isSafeInteger(state.step) ||
    state.step < 0 || state.step > config.maxSteps || !Array.isArray(state.history)
  ) {
    fail("has no valid training state (step, history)");
  }
  const sizes = modelShapes(modelSpecFor(config, data)).map((s) => s.out * s.in);
  const weights = checkArrays(r.weights, sizes, "weight matrices");
  const averaged = r.averaged === undefined
    ? undefined
    : checkArrays(r.averaged, sizes, "averaged weight matrices");
  return {
    version: STORED_VERSION,
    settings: r.settings,
    config,
    state,
    weights,
    averaged,
    savedAt: String(r.savedAt),
  };
}
