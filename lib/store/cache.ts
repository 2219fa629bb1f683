/**
 * Results computed once and then read from the store: the one way the numeric layers key, read
 * and write their records.
 *
 * A record's key hashes its kind, what the result depends on (`keyParts`) and the code version.
 * Its metrics are checked against the kind's zod schema both ways: before they are stored (in
 * the form they will have when read back from JSON, so a stored result is always servable) and
 * whenever they are read. A stored record whose metrics fail the schema is never served: like a
 * record without a checksum (ResultStore.getVerified) it is moved aside, to
 * `runs/<key>.invalid-<time>`, and the result is recomputed.
 */
import { z } from "zod";
import { configKey } from "./hash.ts";
import type { RecordKind } from "./kinds.ts";
import { type ResultStore, RunExistsError, type RunRecord, type TensorInput } from "./results.ts";
import { codeVersion } from "./version.ts";

/** The metrics of a record: a JSON object. */
export type Metrics = Record<string, unknown>;

/** A record kind and the schema its metrics must pass. */
export interface RecordSpec<T extends Metrics> {
  kind: RecordKind;
  schema: z.ZodType<T>;
}

/**
 * A measured number as stored: JSON writes NaN and ±Infinity as null, which reads back as NaN
 * (never as null, which arithmetic would take for 0).
 */
export const storedNumber = z.union([z.number(), z.null().transform(() => NaN)]);

/** The store key of the record of `kind` that depends on `parts` and on `version`. */
export function recordKey(
  kind: RecordKind,
  parts: Record<string, unknown>,
  version: string = codeVersion(),
): string {
  return configKey({ ...parts, kind }, version);
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.join(".") || "metrics"}: ${issue.message}`;
}

/**
 * The finished record `key` with its metrics parsed by `spec.schema`, or undefined when there is
 * none to serve: not finished, without a checksum, or (moved aside, with a log line) of another
 * kind or with metrics the schema refuses. A corrupt or altered record is an error.
 */
export async function readCached<T extends Metrics>(
  store: ResultStore,
  key: string,
  spec: RecordSpec<T>,
  log?: (line: string) => void,
): Promise<{ record: RunRecord; metrics: T } | undefined> {
  const record = await store.getVerified(key, log);
  if (!record) return undefined;
  const kind = (record.config as { kind?: unknown } | null)?.kind;
  const parsed = spec.schema.safeParse(record.metrics);
  if (kind === spec.kind && parsed.success) return { record, metrics: parsed.data };
  const why = kind !== spec.kind
    ? `its kind is ${JSON.stringify(kind ?? null)}, not "${spec.kind}"`
    : `its metrics are not a valid "${spec.kind}" result (${firstIssue(parsed.error!)})`;
  const aside = await store.moveAside(key, "invalid");
  log?.(`${store.recordPath(key)}: ${why}: moved to ${aside}; recomputing`);
  return undefined;
}

/** What a new record holds besides its key, kind and code version. */
export interface NewRecord<T extends Metrics> {
  /** The record's config, without the kind (which `writeCached` puts first). */
  config: Record<string, unknown>;
  metrics: T;
  /** Further record fields (host, data, imported, …), written after the metrics. */
  extra?: Partial<RunRecord>;
  /** Tensors stored with the record (weights.htt). */
  tensors?: TensorInput;
}

/**
 * Stores a new record of `spec.kind` under `key` (ResultStore.put: never over a finished one);
 * returns it. Metrics that would not pass the schema once read back are refused before anything
 * is written: a result the cache could never serve is a bug, not a result.
 */
export async function writeCached<T extends Metrics>(
  store: ResultStore,
  key: string,
  spec: RecordSpec<T>,
  rec: NewRecord<T>,
): Promise<RunRecord> {
  const readBack = spec.schema.safeParse(JSON.parse(JSON.stringify(rec.metrics)));
  if (!readBack.success) {
    throw new TypeError(
      `"${spec.kind}" result for ${key} would not read back: ${firstIssue(readBack.error)}`,
    );
  }
  const record: RunRecord = {
    key,
    config: { kind: spec.kind, ...rec.config },
    codeVersion: codeVersion(),
    createdAt: new Date().toISOString(),
    metrics: rec.metrics,
    ...rec.extra,
  };
  await store.put(key, record, rec.tensors);
  return record;
}

export interface CachedOptions<T extends Metrics> extends RecordSpec<T> {
  /** What the result depends on besides the code version; also the record's config. */
  keyParts: Record<string, unknown>;
  compute: () => Promise<T>;
  log?: (line: string) => void;
}

/**
 * The result of `compute`, from the store when a servable record of it exists (see readCached),
 * otherwise computed, checked and stored. When another process stores the same result first,
 * this one's is returned (both ran the same code on the same inputs).
 */
export async function cached<T extends Metrics>(
  store: ResultStore,
  opts: CachedOptions<T>,
): Promise<T> {
  const key = recordKey(opts.kind, opts.keyParts);
  const hit = await readCached(store, key, opts, opts.log);
  if (hit) return hit.metrics;
  const metrics = await opts.compute();
  try {
    await writeCached(store, key, opts, { config: opts.keyParts, metrics });
  } catch (err) {
    if (!(err instanceof RunExistsError)) throw err;
    opts.log?.(`${opts.kind} ${key} was stored meanwhile by another process`);
  }
  return metrics;
}
