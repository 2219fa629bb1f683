/** The dataset a training config names, with its example limits applied. */
import { type Dataset, limitSplit, loadDataset, syntheticDataset } from "../data/mod.ts";
import type { TrainConfig } from "./config.ts";

export interface DataOptions {
  dataDir?: string;
  download?: boolean;
  log?: (line: string) => void;
}

export async function datasetFor(config: TrainConfig, opts: DataOptions = {}): Promise<Dataset> {
  if (config.dataset === "synthetic") {
    const ds = syntheticDataset({ seed: config.seed });
    return {
      ...ds,
      train: limitSplit(ds.train, config.limitTrain),
      test: limitSplit(ds.test, config.limitTest),
    };
  }
  return await loadDataset(config.dataset, {
    dataDir: opts.dataDir,
    download: opts.download,
    limitTrain: config.limitTrain,
    limitTest: config.limitTest,
    log: opts.log,
  });
}
