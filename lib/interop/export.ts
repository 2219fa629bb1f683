/**
 * `deno task export`: a stored run's final weights (optionally pruned) as safetensors or one
 * `.npy` per tensor, named as PyTorch would (layout.ts), plus `run.json` with the run's config,
 * metrics and, when pruned, the pruning report.
 *
 * All or nothing: the files are written into a temporary sibling of the output folder, which is
 * renamed into place only once every file is there, so a failure leaves no output folder. The
 * output folder must be new or empty: a folder holding files is refused (never mixed with, or
 * replaced by, an export, which would delete the user's files: `--out .` must never do that).
 */
import { dirname, join, resolve } from "node:path";
import { modelShapes, prunableLayers } from "../model/model.ts";
import {
  type LayerPruning,
  type PruneCriterion,
  pruneWeightRows,
  pruningRatio,
} from "../prune/columns.ts";
import { tempPathFor, writeFileAtomic, writeJsonAtomic } from "../store/atomic.ts";
import { onInterrupt } from "../interrupt.ts";
import type { ResultStore, RunRecord } from "../store/results.ts";
import { loadStoredRun } from "../train/run.ts";
import { specFromWeights, torchNames, torchShapes } from "./layout.ts";
import { encodeNpy } from "../formats/npy.ts";
import { encodeSafetensors } from "../formats/safetensors.ts";

export const EXPORT_FORMATS = ["safetensors", "npy"] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** The safetensors file name inside the output folder. */
export const SAFETENSORS_FILE = "model.safetensors";
/** The JSON of config and metrics written beside the weights. */
export const RUN_JSON = "run.json";

export interface ExportOptions {
  format: ExportFormat;
  outDir: string;
  /** Prune before writing (mce or a fixed fraction of units per prunable layer). */
  criterion?: PruneCriterion;
}

export interface ExportedTensor {
  name: string;
  shape: number[];
  /** Index of the layer in htsgd's store (W0, W1, …). */
  layer: number;
}

/** An output folder export cannot use (an existing file, a folder holding files, unwritable). */
export class ExportTargetError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`--out ${path}: ${detail}`);
    this.name = "ExportTargetError";
  }
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Refuses an `--out` that is a file or a folder holding anything (see the module comment). */
export async function checkExportTarget(outDir: string): Promise<void> {
  const info = await statOrUndefined(outDir);
  if (info === undefined) return;
  if (!info.isDirectory) {
    throw new ExportTargetError(outDir, "names an existing file, not a folder: pass a new folder");
  }
  const held: string[] = [];
  for await (const e of Deno.readDir(outDir)) {
    held.push(e.name);
    if (held.length > 3) break;
  }
  if (held.length > 0) {
    throw new ExportTargetError(
      outDir,
      `the folder already holds files (${held.slice(0, 3).join(", ")}${
        held.length > 3 ? ", …" : ""
      }): export writes into a new or empty folder only, so files of two exports are never ` +
        `mixed; pass another --out or empty this one`,
    );
  }
}

/** Writes `write`'s files into a temporary sibling of `outDir`, then renames it into place. */
async function writeFolderAtomic(
  outDir: string,
  write: (dir: string) => Promise<void>,
): Promise<void> {
  await checkExportTarget(outDir);
  // An existing (empty) folder may be reached through a link: replace the folder, not the link.
  const target = (await statOrUndefined(outDir)) ? await Deno.realPath(outDir) : resolve(outDir);
  try {
    await Deno.mkdir(dirname(target), { recursive: true });
  } catch (err) {
    throw new ExportTargetError(
      outDir,
      `cannot create its parent folder: ${(err as Error).message}`,
    );
  }
  const stage = tempPathFor(target);
  await Deno.mkdir(stage);
  // Ctrl-C exits without running the catch below: remove the staging folder then too.
  const forget = onInterrupt(() => Deno.removeSync(stage, { recursive: true }));
  try {
    await write(stage);
    try {
      await Deno.rename(stage, target);
    } catch (err) {
      // An empty folder is replaced (rename does so on POSIX; elsewhere remove it first).
      const info = await statOrUndefined(target);
      if (!info?.isDirectory) throw err;
      await checkExportTarget(outDir);
      await Deno.remove(target);
      await Deno.rename(stage, target);
    }
  } catch (err) {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
    throw err;
  } finally {
    forget();
  }
}

export interface ExportResult {
  files: string[];
  tensors: ExportedTensor[];
  pruning?: { criterion: PruneCriterion; pruningRatio: number; layers: LayerPruning[] };
}

/** "mce-0.1" → mce criterion with error 0.1. */
export function parsePrunedSpec(text: string): PruneCriterion {
  const m = /^mce-([0-9.eE+-]+)$/.exec(text);
  const error = m ? Number(m[1]) : NaN;
  if (!(error >= 0 && error <= 1)) {
    throw new Error(`--pruned: "${text}" is not mce-E with E in [0, 1] (e.g. mce-0.1)`);
  }
  return { kind: "mce", error };
}

/** Writes the run `key` of `store` to `opts.outDir`; an error if it has no weights. */
export async function exportRun(
  store: ResultStore,
  key: string,
  opts: ExportOptions,
): Promise<ExportResult> {
  const record = await store.get(key);
  const run = await loadStoredRun(store, key);
  if (!record || !run) throw new Error(`no finished run "${key}" in ${store.dir}`);
  if (run.weights.length === 0) throw new Error(`run ${key} has no weights (it diverged)`);
  const spec = specFromWeights(run.config, run.weights);
  const shapes = modelShapes(spec);
  let weights = run.weights;
  let pruning: ExportResult["pruning"];
  if (opts.criterion) {
    const p = pruneWeightRows(weights, shapes, opts.criterion, prunableLayers(spec));
    weights = p.weights;
    pruning = { criterion: opts.criterion, pruningRatio: pruningRatio(p.layers), layers: p.layers };
  }
  const names = torchNames(run.config);
  const dims = torchShapes(spec, shapes);
  const tensors = weights.map((w, l) => ({ name: names[l], shape: dims[l], data: w, layer: l }));
  const listed = tensors.map(({ name, shape, layer }) => ({ name, shape, layer }));
  // File names inside the folder (never sliced off a joined path: `join` normalises it).
  const fileNames = opts.format === "safetensors"
    ? [SAFETENSORS_FILE]
    : tensors.map((t) => `${t.name}.npy`);
  await writeFolderAtomic(opts.outDir, async (dir) => {
    if (opts.format === "safetensors") {
      const meta: Record<string, string> = { format: "pt", htsgd_run: key };
      if (opts.criterion) meta.htsgd_pruned = criterionLabel(opts.criterion);
      await writeFileAtomic(join(dir, fileNames[0]), encodeSafetensors(tensors, meta));
    } else {
      for (const [i, t] of tensors.entries()) {
        await writeFileAtomic(join(dir, fileNames[i]), encodeNpy(t.data, t.shape));
      }
    }
    await writeJsonAtomic(
      join(dir, RUN_JSON),
      runJson(key, record, opts, fileNames, listed, pruning),
    );
  });
  const files = [...fileNames, RUN_JSON].map((n) => join(opts.outDir, n));
  return { files, tensors: listed, pruning };
}

function runJson(
  key: string,
  record: RunRecord,
  opts: ExportOptions,
  files: string[],
  listed: ExportedTensor[],
  pruning: ExportResult["pruning"],
) {
  return {
    key,
    format: opts.format,
    files,
    naming: record.config && (record.config as { model?: string }).model === "vgg11"
      ? "state_dict of nn.Sequential(Conv2d, ReLU, [MaxPool2d], …, Flatten, Linear), bias-free"
      : "state_dict of nn.Sequential(Linear, ReLU, …, Linear), bias-free; weights (out, in)",
    dtype: "float32",
    tensors: listed,
    pruning: pruning ?? null,
    config: record.config,
    metrics: record.metrics,
    data: (record as Record<string, unknown>).data ?? null,
    imported: (record as Record<string, unknown>).imported ?? null,
    codeVersion: record.codeVersion,
    createdAt: record.createdAt,
  };
}

export function criterionLabel(c: PruneCriterion): string {
  return c.kind === "mce" ? `mce-${c.error}` : `fraction-${c.fraction}`;
}
