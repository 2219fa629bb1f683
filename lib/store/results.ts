/**
 * The results store: one folder per finished run, keyed by a hash of (config, code version), and
 * checkpoints of unfinished runs. Layout under `dir`:
 *   runs/<key>/weights.htt   final tensors (written first, optional)
 *   runs/<key>/record.json   config, metrics, host info (written last: its presence = finished)
 *   checkpoints/<key>.htt    latest checkpoint of an unfinished run
 * Every write is atomic, so a crash at any point leaves either no record or a whole one. A
 * finished run is never overwritten: a record is created only if absent (writeFileIfAbsent), so
 * of several processes storing one key at once exactly one succeeds; the others get
 * RunExistsError and load it instead. Every file read is a regular file within a size limit
 * (bounded_read.ts).
 *
 * Everything read is checked: each record carries `recordSha256`, the SHA-256 of its canonical
 * JSON without that field (a record without one, written by an older version, is "unverified":
 * `getVerified` moves it aside so the run is recomputed); the header of every weights.htt and
 * checkpoint names its run key (and a checkpoint its config), and a file naming another run is
 * refused with an error naming the file.
 */
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic, writeFileIfAbsent } from "./atomic.ts";
import { READ_LIMITS, readFileBounded } from "./bounded_read.ts";
import { canonicalJson, sha256Hex } from "./hash.ts";
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
  /** The data a training run used (see lib/data/fingerprint.ts); part of its key. */
  data: z.object({ name: z.string(), source: z.string(), sha256: z.string() }).optional(),
  /** SHA-256 (hex) of the record's canonical JSON without this field; set by `put`. */
  recordSha256: z.string().optional(),
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

/**
 * A record written without a checksum (by a version before checksums): it cannot be verified, so
 * it is never trusted (`getVerified` moves it aside and the caller recomputes the run).
 */
export class UnverifiedRecordError extends MalformedRecordError {
  constructor(path: string) {
    super(path, "no recordSha256 checksum (written by an older version), so it cannot be verified");
    this.name = "UnverifiedRecordError";
  }
}

/** A weights.htt or checkpoint whose header names another run (or another config). */
export class ForeignFileError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = "ForeignFileError";
  }
}

/** The checksum `put` stores in `recordSha256`. */
export function recordChecksum(record: RunRecord): string {
  const { recordSha256: _omit, ...rest } = JSON.parse(JSON.stringify(record));
  return sha256Hex(canonicalJson(rest));
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

/** The file's bytes (a regular file within `limit`: see bounded_read.ts), or undefined if absent. */
async function readIfExists(
  path: string,
  limit: number,
  what: string,
): Promise<Uint8Array | undefined> {
  try {
    return await readFileBounded(path, limit, what);
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
    const bytes = await readIfExists(path, READ_LIMITS.record, "a run record");
    if (bytes === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      // The parser's message quotes the file's first bytes: name the path only.
      throw new MalformedRecordError(path, "not valid JSON");
    }
    const parsed = RunRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MalformedRecordError(path, `${issue.path.join(".") || "record"}: ${issue.message}`);
    }
    if (parsed.data.key !== key) {
      throw new MalformedRecordError(path, `key is "${parsed.data.key}", expected "${key}"`);
    }
    if (parsed.data.recordSha256 === undefined) throw new UnverifiedRecordError(path);
    let sum: string;
    try {
      sum = recordChecksum(parsed.data);
    } catch (err) {
      throw new MalformedRecordError(path, (err as Error).message);
    }
    if (sum !== parsed.data.recordSha256) {
      throw new MalformedRecordError(
        path,
        "checksum mismatch: the file changed after it was written; delete the run folder to " +
          "recompute it",
      );
    }
    return parsed.data;
  }

  /**
   * Like `get`, but a record without a checksum (an older version's) is moved aside, with its
   * tensors, to `runs/<key>.unverified-<time>` and reported as absent, so the caller recomputes
   * the run instead of trusting it. A corrupt or altered record is still an error.
   */
  async getVerified(key: string, log?: (line: string) => void): Promise<RunRecord | undefined> {
    try {
      return await this.get(key);
    } catch (err) {
      if (!(err instanceof UnverifiedRecordError)) throw err;
      const aside = await this.moveAside(key, "unverified");
      log?.(`${err.path}: no checksum (older version): moved to ${aside}; recomputing`);
      return undefined;
    }
  }

  /**
   * Moves the run folder of `key` (record and tensors) to `runs/<key>.<why>-<time>`, where no
   * reader looks, so the run counts as unfinished; returns the new path. A folder another
   * process moved first is not an error.
   */
  async moveAside(key: string, why: "unverified" | "invalid"): Promise<string> {
    const aside = `${this.runDir(key)}.${why}-${Date.now()}`;
    try {
      await Deno.rename(this.runDir(key), aside);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return aside;
  }

  /** The finished run's tensors (flat arrays by name); an error if it stored none. */
  async getTensors(key: string): Promise<Record<string, HostTensor>> {
    return (await this.getShapedTensors(key)).tensors;
  }

  /** The finished run's tensors with their shapes and meta. */
  async getShapedTensors(key: string): Promise<DecodedTensors> {
    const path = this.weightsPath(key);
    const bytes = await readIfExists(path, READ_LIMITS.tensors, "a weights file");
    if (bytes === undefined) throw new Error(`run ${key} has no stored tensors (${path} missing)`);
    const decoded = decodeTensors(bytes, path);
    const owner = (decoded.meta as { key?: unknown } | null)?.key;
    if (owner !== key) {
      throw new ForeignFileError(
        path,
        `its header names run ${JSON.stringify(owner ?? null)}, not ${key} (copied from ` +
          `another run?); delete the run folder to recompute it`,
      );
    }
    return decoded;
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
    const { recordSha256: _old, ...rest } = record;
    const text = JSON.stringify({ ...rest, recordSha256: recordChecksum(rest) }, null, 2) + "\n";
    // Created only if absent (create-exclusive): of two writers racing for one key, one creates
    // the record and the other gets RunExistsError. A loser may already have replaced
    // weights.htt, but with the same key's weights (same config, data and code; an imported
    // file's same bytes), so the record and its weights still belong together.
    if (!(await writeFileIfAbsent(recordPath, text))) throw new RunExistsError(key, recordPath);
  }

  /** The keys of every run folder (finished or not), sorted; moved-aside folders are not keys. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    try {
      for await (const entry of Deno.readDir(join(this.dir, "runs"))) {
        if (entry.isDirectory && KEY_PATTERN.test(entry.name)) keys.push(entry.name);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return keys.sort();
  }

  /** Every finished run, sorted by key; unfinished run folders are skipped. */
  async list(): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    for (const key of await this.keys()) {
      const rec = await this.get(key);
      if (rec) out.push(rec);
    }
    return out;
  }

  /**
   * Replaces the run's checkpoint atomically. The header records the key and `config` next to
   * `meta`, so a checkpoint copied from another run is refused on load.
   */
  async saveCheckpoint(
    key: string,
    meta: unknown,
    tensors: TensorInput,
    config: unknown = null,
  ): Promise<void> {
    await writeFileAtomic(
      this.checkpointPath(key),
      encodeTensors({ key, config, state: meta }, tensors),
    );
  }

  /**
   * The run's last checkpoint (its `meta` as saved), or undefined. A corrupted checkpoint, or one
   * whose header names another key or (when `config` is given) another config, is an error
   * naming the file.
   */
  async loadCheckpoint(key: string, config?: unknown): Promise<DecodedTensors | undefined> {
    const path = this.checkpointPath(key);
    const bytes = await readIfExists(path, READ_LIMITS.tensors, "a checkpoint");
    if (bytes === undefined) return undefined;
    const decoded = decodeTensors(bytes, path);
    const header = decoded.meta as { key?: unknown; config?: unknown; state?: unknown } | null;
    const refuse = (why: string) =>
      new ForeignFileError(
        path,
        `${why}: it is not a checkpoint of this run; delete it to start the run afresh`,
      );
    if (header === null || typeof header !== "object" || !("state" in header)) {
      throw refuse("its header records no run key and config (an older version's checkpoint?)");
    }
    if (header.key !== key) throw refuse(`its header names run ${JSON.stringify(header.key)}`);
    if (config !== undefined && canonicalJson(header.config) !== canonicalJson(config)) {
      throw refuse("its header records another config");
    }
    return { ...decoded, meta: header.state };
  }

  async clearCheckpoint(key: string): Promise<void> {
    try {
      await Deno.remove(this.checkpointPath(key));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
}
