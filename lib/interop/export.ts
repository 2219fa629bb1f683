/**
 * `deno task export`: a stored run's final weights (optionally pruned) as safetensors or one
 * `.npy` per tensor, named as PyTorch would (layout.ts), plus `run.json` with the run's config,
 * metrics and, when pruned, the pruning report.
 */
import { join } from "node:path";
import { modelShapes, prunableLayers } from "../model/model.ts";
import {
  type LayerPruning,
  type PruneCriterion,
  pruneWeightRows,
  pruningRatio,
} from "../prune/columns.ts";
import { writeFileAtomic, writeJsonAtomic } from "../store/atomic.ts";
import type { ResultStore } from "../store/results.ts";
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
  await Deno.mkdir(opts.outDir, { recursive: true });
  const files: string[] = [];
  if (opts.format === "safetensors") {
    const meta: Record<string, string> = { format: "pt", htsgd_run: key };
    if (opts.criterion) meta.htsgd_pruned = criterionLabel(opts.criterion);
    const path = join(opts.outDir, SAFETENSORS_FILE);
    await writeFileAtomic(path, encodeSafetensors(tensors, meta));
    files.push(path);
  } else {
    for (const t of tensors) {
      const path = join(opts.outDir, `${t.name}.npy`);
      await writeFileAtomic(path, encodeNpy(t.data, t.shape));
      files.push(path);
    }
  }
  const listed = tensors.map(({ name, shape, layer }) => ({ name, shape, layer }));
  const jsonPath = join(opts.outDir, RUN_JSON);
  await writeJsonAtomic(jsonPath, {
    key,
    format: opts.format,
    files: files.map((f) => f.slice(opts.outDir.length).replace(/^[\\/]/, "")),
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
  });
  files.push(jsonPath);
  return { files, tensors: listed, pruning };
}

export function criterionLabel(c: PruneCriterion): string {
  return c.kind === "mce" ? `mce-${c.error}` : `fraction-${c.fraction}`;
}
