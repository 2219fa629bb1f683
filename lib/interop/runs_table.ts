/**
 * `deno task runs`: the store as a table, one row per training run (trained here, FCN or VGG, or
 * imported), with the pruning results the store holds for it (records of kind "prune", written
 * by the figure scripts, `sweep` and `prune`: `config.run` names the run, `metrics.pruned` the
 * results; a criterion found in several records is shown once, from the first in key order).
 */
import { toCsv } from "../plot/csv.ts";
import type { PrunedEvaluation } from "../prune/evaluate.ts";
import { PRUNE_RECORD } from "../pipelines/run_and_prune.ts";
import { UnreadableFileError } from "../store/bounded_read.ts";
import type { Metrics, RecordSpec } from "../store/cache.ts";
import { isTrainedKind, RECORD_KINDS } from "../store/kinds.ts";
import { MalformedRecordError, type ResultStore, type RunRecord } from "../store/results.ts";
import { IMPORTED_RECORD, trainRecordFor } from "../train/metrics.ts";
import { criterionLabel } from "./export.ts";

export const RUN_TABLE_COLUMNS = [
  "key",
  "origin",
  "dataset",
  "dataSha256",
  "model",
  "width",
  "depth",
  "lr",
  "batchSize",
  "noiseType",
  "alpha",
  "sigma",
  "seed",
  "steps",
  "stopReason",
  "converged",
  "diverged",
  "trainAcc",
  "testAcc",
  "trainLoss",
  "testLoss",
  "mceError",
  "pruningRatio",
  "prunedTrainAcc",
  "prunedTestAcc",
  "pruneResults",
  "importedSha256",
  "codeVersion",
  "createdAt",
] as const;

export type RunRow = Record<typeof RUN_TABLE_COLUMNS[number], unknown>;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" ? v as Obj : {});
const finite = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The row of a training record (undefined for records that are not training runs). */
export function runRow(record: RunRecord, pruned: PrunedEvaluation[] = []): RunRow | undefined {
  const cfg = obj(record.config);
  const imported = cfg.kind === RECORD_KINDS.imported;
  if (!imported && !isTrainedKind(cfg.kind)) return undefined;
  const m = obj(record.metrics);
  const final = obj(m.final);
  const noise = obj(cfg.noise);
  const extra = record as Obj;
  const stop = typeof m.stopReason === "string" ? m.stopReason : null;
  const mce = pruned.find((p) => p.criterion.kind === "mce");
  return {
    key: record.key,
    origin: imported ? "imported" : "trained",
    dataset: cfg.dataset ?? null,
    dataSha256: obj(extra.data).sha256 ?? null,
    model: cfg.model ?? "fcn",
    width: cfg.width ?? null,
    depth: cfg.depth ?? null,
    lr: cfg.lr ?? null,
    batchSize: cfg.batchSize ?? null,
    noiseType: noise.type ?? null,
    alpha: noise.type === 0 ? null : noise.alpha ?? null,
    sigma: noise.type === 0 ? null : noise.sigma ?? null,
    seed: cfg.seed ?? null,
    steps: finite(m.steps),
    stopReason: stop,
    converged: stop === "imported" || stop === null ? null : stop === "converged",
    diverged: stop === "imported" || stop === null ? null : stop === "diverged",
    trainAcc: finite(final.trainAcc),
    testAcc: finite(final.testAcc),
    trainLoss: finite(final.trainLoss),
    testLoss: finite(final.testLoss),
    mceError: mce?.criterion.kind === "mce" ? mce.criterion.error : null,
    pruningRatio: finite(mce?.pruningRatio),
    prunedTrainAcc: finite(mce?.train.accuracy),
    prunedTestAcc: finite(mce?.test.accuracy),
    pruneResults: pruned.length
      ? JSON.stringify(pruned.map((p) => ({
        criterion: criterionLabel(p.criterion),
        pruningRatio: p.pruningRatio,
        trainAcc: p.train.accuracy,
        testAcc: p.test.accuracy,
      })))
      : null,
    importedSha256: obj(extra.imported).sha256 ?? null,
    codeVersion: record.codeVersion,
    createdAt: record.createdAt,
  };
}

/** The schema a record's metrics must pass to be shown (undefined: a kind the table ignores). */
function specOf(record: RunRecord): RecordSpec<Metrics> | undefined {
  const cfg = obj(record.config);
  if (cfg.kind === RECORD_KINDS.prune) return PRUNE_RECORD;
  if (cfg.kind === RECORD_KINDS.imported) return IMPORTED_RECORD;
  if (isTrainedKind(cfg.kind)) {
    return trainRecordFor({ model: cfg.model === "vgg11" ? "vgg11" : undefined });
  }
  return undefined;
}

/**
 * The store's records the table can show: each read and checked (checksum, then its metrics
 * against its kind's schema). A record that fails is left out and reported through `skip` with
 * its file and the reason, so one bad record never costs the whole table.
 */
async function readableRecords(
  store: ResultStore,
  skip: (line: string) => void,
): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (const key of await store.keys()) {
    let record: RunRecord | undefined;
    try {
      record = await store.get(key);
    } catch (err) {
      // Malformed, unverified, not a regular file, unreadable: name it, show the others.
      const named = err instanceof MalformedRecordError || err instanceof UnreadableFileError;
      const message = err instanceof Error ? err.message : String(err);
      skip(`skipped ${named ? message : `${store.recordPath(key)}: ${message}`}`);
      continue;
    }
    if (!record) continue; // unfinished
    const spec = specOf(record);
    const parsed = spec?.schema.safeParse(record.metrics);
    if (spec && parsed && !parsed.success) {
      const issue = parsed.error.issues[0];
      skip(
        `skipped ${store.recordPath(key)}: its metrics are not a valid "${spec.kind}" result ` +
          `(metrics.${issue.path.join(".")}: ${issue.message})`,
      );
      continue;
    }
    out.push(spec && parsed?.success ? { ...record, metrics: parsed.data } : record);
  }
  return out;
}

/**
 * Every training run of the store as a row, in key order, with its stored pruning results. A
 * record that cannot be read or whose metrics are not of its kind's shape is left out and
 * reported through `skip` (by file name and reason).
 */
export async function runRows(
  store: ResultStore,
  skip: (line: string) => void = () => {},
): Promise<RunRow[]> {
  const records = await readableRecords(store, skip);
  const prunes = new Map<string, PrunedEvaluation[]>();
  for (const r of records) {
    const cfg = obj(r.config);
    if (cfg.kind !== RECORD_KINDS.prune || typeof cfg.run !== "string") continue;
    const list = r.metrics.pruned as PrunedEvaluation[]; // checked by PRUNE_RECORD
    const have = prunes.get(cfg.run) ?? [];
    const seen = new Set(have.map((p) => criterionLabel(p.criterion)));
    prunes.set(cfg.run, [...have, ...list.filter((p) => !seen.has(criterionLabel(p.criterion)))]);
  }
  const rows: RunRow[] = [];
  for (const r of records) {
    const row = runRow(r, prunes.get(r.key));
    if (row) rows.push(row);
  }
  return rows;
}

/** Parses `name=value` filters; an unknown column is an error naming it. */
export function parseFilters(filters: string[]): [string, string][] {
  return filters.map((f) => {
    const eq = f.indexOf("=");
    if (eq <= 0) throw new Error(`--filter "${f}": expected column=value`);
    const name = f.slice(0, eq);
    if (!(RUN_TABLE_COLUMNS as readonly string[]).includes(name)) {
      throw new Error(
        `--filter: unknown column "${name}" (one of ${RUN_TABLE_COLUMNS.join(", ")})`,
      );
    }
    return [name, f.slice(eq + 1)];
  });
}

/** Rows whose every filtered column equals the value (numbers compare numerically). */
export function filterRows(rows: RunRow[], filters: [string, string][]): RunRow[] {
  return rows.filter((row) =>
    filters.every(([name, want]) => {
      const v = (row as Record<string, unknown>)[name];
      if (typeof v === "number") return want.trim() !== "" && Number(want) === v;
      if (v === null || v === undefined) return want === "";
      return String(v) === want;
    })
  );
}

export function formatRows(rows: RunRow[], format: "csv" | "json"): string {
  if (format === "json") return JSON.stringify(rows, null, 2) + "\n";
  return toCsv(rows as Record<string, unknown>[], [...RUN_TABLE_COLUMNS]);
}
