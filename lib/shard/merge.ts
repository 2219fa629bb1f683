/**
 * Merging result stores from several machines into one.
 *
 * Only finished runs are merged: a `runs/<key>/` folder with a valid record.json (and, when it
 * has one, a weights.htt whose checksum verifies). Unfinished runs (no record yet), checkpoints
 * and temp files are never copied. Each copy is crash-safe: weights.htt is written atomically
 * first, record.json last, byte for byte as in the source, so a merge killed half-way leaves no
 * finished-looking partial run and can simply be rerun.
 *
 * The same key in several places (two sources, or a source and the destination) is fine when
 * the results are identical: same record apart from provenance (`createdAt`, `host`,
 * `metrics.wallSeconds`) and byte-identical weights. Otherwise it is a conflict: nothing is
 * written for that key and the report names both places and the first difference. Sources
 * whose record or weights are corrupt are reported the same way and not copied.
 */
import { join, resolve } from "node:path";
import { isTempName, writeFileAtomic, writeFileIfAbsent } from "../store/atomic.ts";
import { READ_LIMITS, readFileBounded, UnreadableFileError } from "../store/bounded_read.ts";
import { canonicalJson, sha256Hex } from "../store/hash.ts";
import { isTrainedKind, kindOf } from "../store/kinds.ts";
import { recordChecksum, type RunRecord, RunRecordSchema } from "../store/results.ts";
import { decodeTensors } from "../store/tensors.ts";

/**
 * Record fields that say where and when a run was made, not what it computed (and the record's
 * checksum, which covers them; it is verified on load).
 */
export const PROVENANCE_PATHS: readonly string[] = [
  "createdAt",
  "host",
  "metrics.wallSeconds",
  "recordSha256",
];

const KEY_PATTERN = /^[0-9A-Za-z_-]+$/;

/** One finished run as found in a store. */
export interface StoredRun {
  key: string;
  /** Where it was found (the store folder). */
  store: string;
  recordBytes: Uint8Array;
  record: RunRecord;
  weightsBytes?: Uint8Array;
}

export interface MergeIssue {
  key: string;
  /** The store folders involved. */
  stores: string[];
  detail: string;
}

export interface MergeReport {
  into: string;
  sources: string[];
  /** Keys copied into the destination. */
  copied: string[];
  /** Keys the destination already held, identical to every source's copy. */
  identical: string[];
  /** Keys refused because two copies differ; nothing was written for them. */
  conflicts: MergeIssue[];
  /** Source runs refused because their record or weights are corrupt. */
  corrupt: MergeIssue[];
  /** Unfinished runs (no record.json) seen in the sources, not copied. */
  unfinished: { store: string; key: string }[];
  /** Checkpoint files and temp files seen in the sources, not copied. */
  checkpointsSkipped: number;
  tempFilesSkipped: number;
  /** True when nothing was refused: no conflicts and no corrupt runs. */
  ok: boolean;
}

export interface MergeOptions {
  /** Report what would happen without writing anything. */
  dryRun?: boolean;
  /** Extra record paths to ignore when comparing (added to PROVENANCE_PATHS). */
  ignore?: readonly string[];
  /** The atomic writer (tests inject a recorder); default writeFileAtomic. */
  writeFile?: (path: string, data: Uint8Array) => Promise<void>;
}

/** A store folder that cannot be read as a source or used as the destination. */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MergeError";
  }
}

/** The file's bytes, or undefined if absent; not a regular file, or too large: an error string. */
async function readOptional(
  path: string,
  limit: number,
  what: string,
): Promise<Uint8Array | string | undefined> {
  try {
    return await readFileBounded(path, limit, what);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    if (err instanceof UnreadableFileError) return err.message;
    throw err;
  }
}

/** The record without provenance fields, for comparison. */
function comparable(record: RunRecord, ignore: readonly string[]): unknown {
  const copy = structuredClone(record) as Record<string, unknown>;
  for (const path of ignore) {
    const parts = path.split(".");
    let obj: unknown = copy;
    for (const part of parts.slice(0, -1)) {
      obj = obj !== null && typeof obj === "object" ? (obj as Record<string, unknown>)[part] : null;
    }
    if (obj !== null && typeof obj === "object") {
      delete (obj as Record<string, unknown>)[parts[parts.length - 1]];
    }
  }
  return copy;
}

function short(v: unknown): string {
  const text = v === undefined ? "absent" : JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The first path where two JSON values differ, with both values, or undefined if equal. */
export function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  const here = path || "(record)";
  if (a === b) return undefined;
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    return `${here}: ${short(a)} vs ${short(b)}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
  for (const k of keys) {
    const d = firstDifference(ao[k], bo[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return undefined;
}

/** Why two copies of one run differ, or undefined when they are the same result. */
export function runDifference(
  a: StoredRun,
  b: StoredRun,
  ignore: readonly string[] = PROVENANCE_PATHS,
): string | undefined {
  const ca = comparable(a.record, ignore);
  const cb = comparable(b.record, ignore);
  if (canonicalJson(ca) !== canonicalJson(cb)) return firstDifference(ca, cb);
  if ((a.weightsBytes === undefined) !== (b.weightsBytes === undefined)) {
    return `weights.htt: only ${a.weightsBytes ? a.store : b.store} has one`;
  }
  if (a.weightsBytes && b.weightsBytes) {
    const [ha, hb] = [sha256Hex(a.weightsBytes), sha256Hex(b.weightsBytes)];
    if (ha !== hb) return `weights.htt: sha256 ${ha.slice(0, 12)}… vs ${hb.slice(0, 12)}…`;
  }
  return undefined;
}

type Loaded =
  | { kind: "run"; run: StoredRun }
  | { kind: "unfinished" }
  | { kind: "corrupt"; detail: string };

/** Reads and verifies `<store>/runs/<key>/`. */
export async function loadStoredRun(store: string, key: string): Promise<Loaded> {
  const dir = join(store, "runs", key);
  const recordPath = join(dir, "record.json");
  const recordBytes = await readOptional(recordPath, READ_LIMITS.record, "a run record");
  if (recordBytes === undefined) return { kind: "unfinished" };
  if (typeof recordBytes === "string") return { kind: "corrupt", detail: recordBytes };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(recordBytes));
  } catch {
    // The parser's message quotes the file's first bytes: name the path only.
    return { kind: "corrupt", detail: `${recordPath}: not valid JSON` };
  }
  const parsed = RunRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: "corrupt",
      detail: `${recordPath}: not a run record (${
        issue.path.join(".") || "record"
      }: ${issue.message})`,
    };
  }
  if (parsed.data.key !== key) {
    return { kind: "corrupt", detail: `${recordPath}: key is "${parsed.data.key}", not "${key}"` };
  }
  let sum: string;
  try {
    canonicalJson(parsed.data);
    sum = recordChecksum(parsed.data);
  } catch (err) {
    return { kind: "corrupt", detail: `${recordPath}: ${(err as Error).message}` };
  }
  if (parsed.data.recordSha256 === undefined) {
    return {
      kind: "corrupt",
      detail: `${recordPath}: no recordSha256 checksum (written by an older version; rerun it)`,
    };
  }
  if (parsed.data.recordSha256 !== sum) {
    return { kind: "corrupt", detail: `${recordPath}: checksum mismatch (the file was altered)` };
  }
  const weightsPath = join(dir, "weights.htt");
  const weightsBytes = await readOptional(weightsPath, READ_LIMITS.tensors, "a weights file");
  if (typeof weightsBytes === "string") return { kind: "corrupt", detail: weightsBytes };
  if (weightsBytes !== undefined) {
    try {
      const owner = (decodeTensors(weightsBytes, weightsPath).meta as { key?: unknown } | null)
        ?.key;
      if (owner !== key) {
        return {
          kind: "corrupt",
          detail: `${weightsPath}: its header names run ${
            JSON.stringify(owner ?? null)
          }, not ${key}`,
        };
      }
    } catch (err) {
      return { kind: "corrupt", detail: (err as Error).message };
    }
  } else if (isTrainedKind(kindOf(parsed.data))) {
    // A finished training run always stores its tensors (a diverged one an empty file).
    return { kind: "corrupt", detail: `${weightsPath} missing: a finished training run needs it` };
  }
  return { kind: "run", run: { key, store, recordBytes, record: parsed.data, weightsBytes } };
}

async function listDir(path: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(Deno.readDir(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

async function requireFolder(path: string, role: string, mayBeMissing: boolean): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (mayBeMissing && err instanceof Deno.errors.NotFound) return;
    throw new MergeError(`${role} ${path}: ${(err as Error).message}`);
  }
  if (!info.isDirectory) throw new MergeError(`${role} ${path} is not a folder`);
}

/**
 * Every finished copy of every key in `sources` (in source order), the keys with a corrupt copy
 * (refused), and the counts of skipped checkpoints, temp files and unfinished runs in `report`.
 */
async function collectRuns(sources: readonly string[], intoAbs: string, report: MergeReport) {
  const found = new Map<string, StoredRun[]>();
  const refused = new Set<string>();
  for (const source of sources) {
    if (resolve(source) === intoAbs) continue; // merging a store into itself changes nothing
    for (const e of await listDir(join(source, "checkpoints"))) {
      if (e.isFile && isTempName(e.name)) report.tempFilesSkipped++;
      else if (e.isFile) report.checkpointsSkipped++;
    }
    for (const e of await listDir(join(source, "runs"))) {
      if (!e.isDirectory || !KEY_PATTERN.test(e.name)) continue;
      for (const f of await listDir(join(source, "runs", e.name))) {
        if (isTempName(f.name)) report.tempFilesSkipped++;
      }
      const loaded = await loadStoredRun(source, e.name);
      if (loaded.kind === "unfinished") report.unfinished.push({ store: source, key: e.name });
      else if (loaded.kind === "corrupt") {
        report.corrupt.push({ key: e.name, stores: [source], detail: loaded.detail });
        refused.add(e.name);
      } else {
        const list = found.get(e.name) ?? [];
        list.push(loaded.run);
        found.set(e.name, list);
      }
    }
  }
  return { found, refused };
}

/** The first copy of `key` that differs from `reference` (beyond `ignore`), as a conflict. */
function firstConflict(
  key: string,
  reference: StoredRun,
  copies: readonly StoredRun[],
  ignore: readonly string[],
): MergeIssue | undefined {
  for (const copy of copies) {
    if (copy === reference) continue;
    const diff = runDifference(reference, copy, ignore);
    if (diff) return { key, stores: [reference.store, copy.store], detail: diff };
  }
  return undefined;
}

/** Merges the finished runs of `sources` into the store `into`; see the module comment. */
export async function mergeStores(
  into: string,
  sources: readonly string[],
  opts: MergeOptions = {},
): Promise<MergeReport> {
  const ignore = [...PROVENANCE_PATHS, ...(opts.ignore ?? [])];
  const write = opts.writeFile ?? writeFileAtomic;
  // A record is created only if absent (as ResultStore.put does), unless a test injects a writer.
  const writeRecord = opts.writeFile
    ? async (path: string, data: Uint8Array) => (await opts.writeFile!(path, data), true)
    : writeFileIfAbsent;
  await requireFolder(into, "destination", true);
  for (const s of sources) await requireFolder(s, "source store", false);
  const intoAbs = resolve(into);
  const report: MergeReport = {
    into,
    sources: [...sources],
    copied: [],
    identical: [],
    conflicts: [],
    corrupt: [],
    unfinished: [],
    checkpointsSkipped: 0,
    tempFilesSkipped: 0,
    ok: true,
  };

  const { found, refused } = await collectRuns(sources, intoAbs, report);
  for (const key of [...found.keys()].sort()) {
    if (refused.has(key)) continue; // one of its copies is corrupt: copy none
    const copies = found.get(key)!;
    const existing = await loadStoredRun(into, key);
    if (existing.kind === "corrupt") {
      report.conflicts.push({
        key,
        stores: [into],
        detail: `the destination's copy is corrupt (${existing.detail})`,
      });
      continue;
    }
    const reference = existing.kind === "run" ? existing.run : copies[0];
    const conflict = firstConflict(key, reference, copies, ignore);
    if (conflict) {
      report.conflicts.push(conflict);
      continue;
    }
    if (existing.kind === "run") {
      report.identical.push(key);
      continue;
    }
    if (!opts.dryRun) {
      const dir = join(into, "runs", key);
      if (reference.weightsBytes) await write(join(dir, "weights.htt"), reference.weightsBytes);
      if (!(await writeRecord(join(dir, "record.json"), reference.recordBytes))) {
        // Another process stored this run in the destination meanwhile: compare with it.
        const now = await loadStoredRun(into, key);
        const diff = now.kind === "run"
          ? runDifference(reference, now.run, ignore)
          : now.kind === "corrupt"
          ? now.detail
          : "its record vanished";
        if (diff === undefined) report.identical.push(key);
        else report.conflicts.push({ key, stores: [into, reference.store], detail: diff });
        continue;
      }
    }
    report.copied.push(key);
  }
  report.ok = report.conflicts.length === 0 && report.corrupt.length === 0;
  return report;
}

/** One line per refused key, for the CLI. */
export function describeIssues(report: MergeReport): string[] {
  return [
    ...report.conflicts.map((c) =>
      `conflict: run ${c.key} differs between ${c.stores.join(" and ")} (${c.detail}); ` +
      `nothing written for this key`
    ),
    ...report.corrupt.map((c) =>
      `corrupt: run ${c.key} in ${c.stores.join(", ")} not copied (${c.detail})`
    ),
  ];
}
