/**
 * Finding a dataset's files in a user-supplied folder. Accepted layouts (first match wins):
 * - MNIST / Fashion-MNIST: the four IDX files, `.gz` or plain, named `train-images-idx3-ubyte`
 *   (or `train-images.idx3-ubyte`) etc., in DIR, DIR/<dataset>, or torchvision's DIR/MNIST/raw
 *   (DIR/FashionMNIST/raw);
 * - CIFAR: the batch files in DIR, DIR/cifar-10-batches-bin (cifar-100-binary), DIR/<dataset>,
 *   DIR/<dataset>/cifar-10-batches-bin; else the original .tar.gz in DIR or DIR/<dataset>;
 * - ECG5000: ECG5000_TRAIN/_TEST as .txt, .tsv or .ts in DIR, DIR/ECG5000 or DIR/ecg5000; else
 *   the authors' X_train.npy, y_train.npy, X_test.npy, y_test.npy there; else ECG5000.zip there.
 */

import { join } from "node:path";
import type { FileDatasetName } from "./dataset.ts";
import { isFile } from "./bytes.ts";
import { CIFAR10, CIFAR100, type CifarLocation } from "./cifar.ts";
import {
  ECG_FILE_CANDIDATES,
  ECG_NPY_NAMES,
  type EcgLocation,
  type EcgNpyFiles,
} from "./ecg5000.ts";

export interface IdxFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export type DatasetFiles =
  | { kind: "idx"; files: IdxFiles }
  | { kind: "cifar"; location: CifarLocation }
  | { kind: "ecg"; location: EcgLocation };

const IDX_BASES: Record<keyof IdxFiles, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

async function firstFile(paths: readonly string[]): Promise<string | undefined> {
  for (const p of paths) if (await isFile(p)) return p;
  return undefined;
}

async function findIdx(dirs: readonly string[]): Promise<IdxFiles | undefined> {
  for (const dir of dirs) {
    const found: Partial<IdxFiles> = {};
    for (const [key, base] of Object.entries(IDX_BASES) as [keyof IdxFiles, string][]) {
      const dotted = base.replace(/-(idx\d)/, ".$1");
      found[key] = await firstFile(
        [base + ".gz", base, dotted + ".gz", dotted].map((f) => join(dir, f)),
      );
    }
    if (Object.values(found).every((p) => p !== undefined)) return found as IdxFiles;
  }
  return undefined;
}

async function findCifar(
  dir: string,
  name: "cifar10" | "cifar100",
): Promise<CifarLocation | undefined> {
  const v = name === "cifar10" ? CIFAR10 : CIFAR100;
  const dirs = [dir, join(dir, v.archiveDir), join(dir, name), join(dir, name, v.archiveDir)];
  for (const d of dirs) {
    const all = await Promise.all([...v.trainFiles, ...v.testFiles].map((f) => isFile(join(d, f))));
    if (all.every(Boolean)) return { kind: "dir", dir: d };
  }
  const archive = await firstFile([join(dir, v.archive), join(dir, name, v.archive)]);
  return archive ? { kind: "archive", path: archive } : undefined;
}

async function findEcg(dir: string): Promise<EcgLocation | undefined> {
  const dirs = [dir, join(dir, "ECG5000"), join(dir, "ecg5000")];
  for (const d of dirs) {
    for (const pair of ECG_FILE_CANDIDATES) {
      const train = join(d, pair.train);
      const test = join(d, pair.test);
      if (await isFile(train) && await isFile(test)) return { kind: "files", train, test };
    }
  }
  for (const d of dirs) {
    const files = Object.fromEntries(
      Object.entries(ECG_NPY_NAMES).map(([k, name]) => [k, join(d, name)]),
    ) as unknown as EcgNpyFiles;
    const present = await Promise.all(Object.values(files).map((p) => isFile(p)));
    if (present.every(Boolean)) return { kind: "npy", files };
  }
  const zip = await firstFile(dirs.map((d) => join(d, "ECG5000.zip")));
  return zip ? { kind: "zip", path: zip } : undefined;
}

/** The dataset's files under `dir`, or undefined when they are not all there. */
export async function locateFiles(
  name: FileDatasetName,
  dir: string,
): Promise<DatasetFiles | undefined> {
  switch (name) {
    case "mnist":
    case "fashion-mnist": {
      const raw = join(dir, name === "mnist" ? "MNIST" : "FashionMNIST", "raw");
      const files = await findIdx([dir, join(dir, name), raw]);
      return files && { kind: "idx", files };
    }
    case "cifar10":
    case "cifar100": {
      const location = await findCifar(dir, name);
      return location && { kind: "cifar", location };
    }
    case "ecg5000": {
      const location = await findEcg(dir);
      return location && { kind: "ecg", location };
    }
  }
}

/** One line saying what `locateFiles` looks for (for error messages). */
export function expectedFilesHint(name: FileDatasetName): string {
  switch (name) {
    case "mnist":
    case "fashion-mnist":
      return "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, " +
        "t10k-labels-idx1-ubyte (each plain or .gz)";
    case "cifar10":
      return "cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin or cifar-10-binary.tar.gz";
    case "cifar100":
      return "cifar-100-binary/{train,test}.bin or cifar-100-binary.tar.gz";
    case "ecg5000":
      return "ECG5000_TRAIN/ECG5000_TEST as .txt, .tsv or .ts, X_train.npy, y_train.npy, " +
        "X_test.npy and y_test.npy, or ECG5000.zip";
  }
}

/** The files a location reads, for checksum reports. */
export function filePaths(name: FileDatasetName, found: DatasetFiles): string[] {
  switch (found.kind) {
    case "idx":
      return Object.values(found.files);
    case "cifar": {
      const loc = found.location;
      if (loc.kind === "archive") return [loc.path];
      const v = name === "cifar100" ? CIFAR100 : CIFAR10;
      return [...v.trainFiles, ...v.testFiles].map((f) => join(loc.dir, f));
    }
    case "ecg": {
      const loc = found.location;
      if (loc.kind === "npy") return Object.values(loc.files);
      return loc.kind === "zip" ? [loc.path] : [loc.train, loc.test];
    }
  }
}
