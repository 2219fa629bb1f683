/**
 * CIFAR-10 / CIFAR-100 "binary version". Each record is the label byte(s) then 3072 pixel bytes:
 * 1024 red, 1024 green, 1024 blue, each 32×32 row-major — already CHW, as torchvision's ToTensor
 * lays it out. CIFAR-10 has 1 label byte; CIFAR-100 has 2 (coarse, fine) and we use the fine one.
 */

import { READ_LIMITS, readFileBounded } from "../store/bounded_read.ts";
import { basename, join } from "node:path";
import { DataFormatError, type Split } from "./dataset.ts";
import {
  type ChannelStats,
  CIFAR100_STATS,
  CIFAR10_STATS,
  normaliseU8Images,
} from "./normalise.ts";
import { gunzip, isGzip } from "./bytes.ts";
import { readTar } from "./tar.ts";

export const CIFAR_PIXELS = 3072;

export interface CifarVariant {
  name: "cifar10" | "cifar100";
  labelBytes: 1 | 2;
  numClasses: number;
  stats: ChannelStats;
  trainFiles: readonly string[];
  testFiles: readonly string[];
  /** Name of the official archive, and of the folder it unpacks to. */
  archive: string;
  archiveDir: string;
}

export const CIFAR10: CifarVariant = {
  name: "cifar10",
  labelBytes: 1,
  numClasses: 10,
  stats: CIFAR10_STATS,
  trainFiles: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
  testFiles: ["test_batch.bin"],
  archive: "cifar-10-binary.tar.gz",
  archiveDir: "cifar-10-batches-bin",
};

export const CIFAR100: CifarVariant = {
  name: "cifar100",
  labelBytes: 2,
  numClasses: 100,
  stats: CIFAR100_STATS,
  trainFiles: ["train.bin"],
  testFiles: ["test.bin"],
  archive: "cifar-100-binary.tar.gz",
  archiveDir: "cifar-100-binary",
};

/** Where the batch files are: an extracted folder, or the original .tar.gz (or plain .tar). */
export type CifarLocation = { kind: "dir"; dir: string } | { kind: "archive"; path: string };

interface NamedBytes {
  file: string;
  bytes: Uint8Array;
}

/** Parses consecutive batch files into one normalised split. */
export function parseCifarBatches(batches: readonly NamedBytes[], variant: CifarVariant): Split {
  const record = variant.labelBytes + CIFAR_PIXELS;
  for (const { file, bytes } of batches) {
    if (bytes.length === 0 || bytes.length % record !== 0) {
      throw new DataFormatError(
        file,
        `${bytes.length} bytes is not a whole number of ${record}-byte records (truncated?)`,
      );
    }
  }
  const n = batches.reduce((s, b) => s + b.bytes.length / record, 0);
  const x = new Float32Array(n * CIFAR_PIXELS);
  const y = new Uint8Array(n);
  let index = 0;
  for (const { file, bytes } of batches) {
    const count = bytes.length / record;
    for (let i = 0; i < count; i++) {
      const at = i * record;
      if (variant.labelBytes === 2 && bytes[at] >= 20) {
        throw new DataFormatError(file, `coarse label ${bytes[at]} of record ${i} is out of range`);
      }
      const label = bytes[at + variant.labelBytes - 1];
      if (label >= variant.numClasses) {
        throw new DataFormatError(
          file,
          `label ${label} of record ${i} is out of range 0..${variant.numClasses - 1}`,
        );
      }
      y[index + i] = label;
    }
    normaliseU8Images(bytes, variant.labelBytes, record, count, 1024, variant.stats, x, index);
    index += count;
  }
  return { x, y, n };
}

async function readBatchFiles(
  location: CifarLocation,
  names: readonly string[],
): Promise<NamedBytes[]> {
  if (location.kind === "dir") {
    return await Promise.all(names.map(async (name) => {
      const file = join(location.dir, name);
      return { file, bytes: await readFileBounded(file, READ_LIMITS.data, "a data file") };
    }));
  }
  const raw = await readFileBounded(location.path, READ_LIMITS.data, "a data archive");
  const tar = readTar(isGzip(raw) ? await gunzip(raw, location.path) : raw, location.path);
  return names.map((name) => {
    const entry = tar.find((e) => basename(e.name) === name);
    if (!entry) throw new DataFormatError(location.path, `archive has no entry named ${name}`);
    return { file: `${location.path}!${entry.name}`, bytes: entry.data };
  });
}

export async function loadCifar(
  variant: CifarVariant,
  location: CifarLocation,
): Promise<{ train: Split; test: Split }> {
  const all = await readBatchFiles(location, [...variant.trainFiles, ...variant.testFiles]);
  const nTrain = variant.trainFiles.length;
  return {
    train: parseCifarBatches(all.slice(0, nTrain), variant),
    test: parseCifarBatches(all.slice(nTrain), variant),
  };
}
