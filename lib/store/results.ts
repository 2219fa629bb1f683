/**
 * The results store: one folder per finished run, keyed by a hash of (config, code version), and
 * checkpoints of unfinished runs. Layout under `dir`:
 *   runs/<key>/weights.htt   final tensors (written first, optional)
 *   runs/<key>/record.json   config, metrics, host info (written last: its presence = finished)
 *   checkpoints/<key>.htt    latest checkpoint of an unfinished run
 * Every write is atomic, so a crash at any point leaves either no record or a whole one. A
 * finished run is never overwritten: callers load it instead of recomputing it.
 */
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic, writeJsonAtomic } from "./atomic.ts";
import {
  type DecodedTensors,
  decodeTensors,
  encodeTensors,
  type HostTensor,
  type ShapedTensor,
} from "./tensors.ts";

export const RunRecordSchema = z.looseObject({
  key: z.string().min(1),
  config: z.unknown(),
  codeVersion: z.string().min(1),
  createdAt: z.string().min(1),
  metrics: z.record(z.string(), z.unknown()),
  host: z.record(z.string(), z.unknown()).optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export type TensorInput = Record<string, HostTensor | ShapedTensor>;

/** A record.json that is not valid JSON or not a RunRecord. */
export class MalformedRecordError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: malformed run record (${detail})`);
    this.name = "MalformedRecordError";
  }
}

/** `put` on a key whose run already finished. */
export class RunExistsError extends Error {
  constructor(readonly key: string, path: string) {
    super(`run ${key} is already finished (${path} exists); finished runs are never overwritten`);
    this.name = "RunExistsError";
  }
}

const KEY_PATTERN = /^[0-9A-Za-z_-]+$/;

function checkKey(key: string): string {
  if (!KEY_PATTERN.test(key)) {
    throw new TypeError(`bad result key "${key}": use letters, digits, "-" and "_" only`);
  }
  return key;
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

export class ResultStore {
  constructor(readonly dir: string) {}

  runDir(key: string): string {
    return join(this.dir, "runs", checkKey(key));
  }

  recordPath(key: string): string {
    return join(this.runDir(key), "record.json");
  }

  weightsPath(key: string): string {
    return join(this.runDir(key), "weights.htt");
  }

  checkpointPath(key: string): string {
    return join(this.dir, "checkpoints", `${checkKey(key)}.htt`);
  }

  /** True when the run finished (its record exists). */
  async has(key: string): Promise<boolean> {
    try {
      return (await Deno.stat(this.recordPath(key))).isFile;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw err;
    }
  }

  /** The finished run's record, or undefined when it has not finished. */
  async get(key: string): Promise<RunRecord | undefined> {
    const path = this.recordPath(key);
    const bytes = await readIfExists(path);
    if (bytes === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      throw new MalformedRecordError(path, `not valid JSON: ${(err as Error).message}`);
    }
    const parsed = RunRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MalformedRecordError(path, `${issue.path.join(".") || "record"}: ${issue.message}`);
    }
    if (parsed.data.key !== key) {
      throw new MalformedRecordError(path, `key is "${parsed.data.key}", expected "${key}"`);
    }
    return parsed.data;
  }

  /** The finished run's tensors (flat arrays by name); an error if it stored none. */
  async getTensors(key: string): Promise<Record<string, HostTensor>> {
    return (await this.getShapedTensors(key)).tensors;
  }

  /** The finished run's tensors with their shapes and meta. */
  async getShapedTensors(key: string): Promise<DecodedTensors> {
    const path = this.weightsPath(key);
    const bytes = await readIfExists(path);
    if (bytes === undefined) throw new Error(`run ${key} has no stored tensors (${path} missing)`);
    return decodeTensors(bytes, path);
  }

  /** Stores a finished run: tensors first, the record last. Refuses to overwrite a finished run. */
  async put(key: string, record: RunRecord, tensors?: TensorInput): Promise<void> {
    const recordPath = this.recordPath(key);
    if (record.key !== key) {
      throw new TypeError(`record.key "${record.key}" does not match the store key "${key}"`);
    }
    const checked = RunRecordSchema.safeParse(record);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new TypeError(
        `record for ${key}: ${issue.path.join(".") || "record"}: ${issue.message}`,
      );
    }
    if (await this.has(key)) throw new RunExistsError(key, recordPath);
    if (tensors) await writeFileAtomic(this.weightsPath(key), encodeTensors({ key }, tensors));
    await writeJsonAtomic(recordPath, record);
  }

  /** Every finished run, sorted by key; unfinished run folders are skipped. */
  async list(): Promise<RunRecord[]> {
    const keys: string[] = [];
    try {
      for await (const entry of Deno.readDir(join(this.dir, "runs"))) {
        if (entry.isDirectory && KEY_PATTERN.test(entry.name)) keys.push(entry.name);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    keys.sort();
    const out: RunRecord[] = [];
    for (const key of keys) {
      const rec = await this.get(key);
      if (rec) out.push(rec);
    }
    return out;
  }

  /** Replaces the run's checkpoint atomically. */
  async saveCheckpoint(key: string, meta: unknown, tensors: TensorInput): Promise<void> {
    await writeFileAtomic(this.checkpointPath(key), encodeTensors(meta, tensors));
  }

  /** The run's last checkpoint, or undefined; a corrupted checkpoint is an error. */
  async loadCheckpoint(key: string): Promise<DecodedTensors | undefined> {
    const path = this.checkpointPath(key);
    const bytes = await readIfExists(path);
    return bytes === undefined ? undefined : decodeTensors(bytes, path);
  }

  async clearCheckpoint(key: string): Promise<void> {
    try {
      await Deno.remove(this.checkpointPath(key));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
}
