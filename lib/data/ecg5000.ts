/**
 * ECG5000 (UCR archive): 5000 heartbeats of 140 samples, 5 classes, standard split 500 train /
 * 4500 test. Series are already z-normalised, so no normalisation is applied (as in the authors'
 * code, which only casts to float32).
 *
 * Binarisation: the implicit-compressibility code trains ECG5000 with `num_classes = 2`, but the
 * class mapping it used is not published (docs/papers.md §A.1). We use the standard
 * normal-vs-abnormal binarisation: UCR class 1 ("normal" beat) → 0, classes 2–5 (the abnormal
 * beat types) → 1.
 *
 * Files: the UCR text files (`ECG5000_TRAIN/_TEST` as .txt, .tsv or .ts), the UCR zip, or the
 * authors' four `.npy` files (`X_train.npy`, `y_train.npy`, `X_test.npy`, `y_test.npy`). Their
 * labels are 0/1 or UCR classes 1–5: one mapping for both splits, decided from the training labels
 * and recorded in the dataset's source (ecgLabelMapping). Every split holds at least one example,
 * and every value is finite as the float32 it is stored as.
 */

import { basename } from "node:path";
import { DataFormatError, finiteFloat32, type Split } from "./dataset.ts";
import { decodeNpy, type NpyArray } from "../formats/npy.ts";
import { READ_LIMITS, readFileBounded, readTextFileBounded } from "../store/bounded_read.ts";
import { parseUcr, type UcrFormat, ucrFormatOf } from "./ucr.ts";
import { extractZipEntry, listZip } from "./zip.ts";

export const ECG_LENGTH = 140;
export const ECG_CLASSES = [1, 2, 3, 4, 5] as const;

/** UCR class 1 (normal) → 0; classes 2–5 (abnormal) → 1. */
export function binariseEcgLabel(ucrClass: number): 0 | 1 {
  return ucrClass === 1 ? 0 : 1;
}

/** Where the series are: the two split files, the zip that holds them, or the authors' `.npy`s. */
export type EcgLocation =
  | { kind: "files"; train: string; test: string }
  | { kind: "zip"; path: string }
  | { kind: "npy"; files: EcgNpyFiles };

/** The authors' layout (`data/ECG5000/{X,y}_{train,test}.npy`). */
export interface EcgNpyFiles {
  xTrain: string;
  yTrain: string;
  xTest: string;
  yTest: string;
}

export const ECG_NPY_NAMES: Record<keyof EcgNpyFiles, string> = {
  xTrain: "X_train.npy",
  yTrain: "y_train.npy",
  xTest: "X_test.npy",
  yTest: "y_test.npy",
};

/**
 * How the authors' label files are read: "binary" labels are their 2-class labels 0/1, used as
 * they are; "ucr" labels are the UCR classes 1–5, binarised as the text files are (1 → 0,
 * 2–5 → 1). One mapping for both splits, decided from the training labels (see ecgLabelMapping).
 */
export interface EcgLabelMapping {
  scheme: "binary" | "ucr";
  /** Label → class index; undefined for a label outside the mapping. */
  map(label: number): 0 | 1 | undefined;
  /** What the run record says about it (part of the dataset's `source`). */
  describe: string;
}

const BINARY_MAPPING: EcgLabelMapping = {
  scheme: "binary",
  map: (v) => (v === 0 || v === 1 ? v : undefined),
  describe: "labels 0/1 used as they are",
};
const UCR_MAPPING: EcgLabelMapping = {
  scheme: "ucr",
  map: (v) => ((ECG_CLASSES as readonly number[]).includes(v) ? binariseEcgLabel(v) : undefined),
  describe: "UCR classes binarised 1 → 0, 2–5 → 1",
};

/**
 * The one label mapping of both splits, decided from the training labels: a 0 makes them 2-class
 * labels, a 2–5 UCR classes (both at once is an error). Training labels that are all 1 fit either
 * reading; the test labels then decide, and if they are all 1 too the files cannot tell and are
 * refused. Deciding per file would read a test file of 1s as already 0-based while the training
 * file's 1s became 0 (issue 24, item 8).
 */
export function ecgLabelMapping(
  train: ArrayLike<number>,
  test: ArrayLike<number>,
  yTrain: string,
  yTest: string,
): EcgLabelMapping {
  const kindOf = (labels: ArrayLike<number>, file: string) => {
    let zero = -1;
    let ucr = -1;
    for (let k = 0; k < labels.length; k++) {
      const v = labels[k];
      if (v === 0) zero = zero < 0 ? k : zero;
      else if (v !== 1 && (ECG_CLASSES as readonly number[]).includes(v)) ucr = ucr < 0 ? k : ucr;
      else if (v !== 1) {
        throw new DataFormatError(
          file,
          `label ${v} (example ${k}) is neither a 2-class label (0/1) nor a UCR class (1–5)`,
        );
      }
    }
    if (zero >= 0 && ucr >= 0) {
      throw new DataFormatError(
        file,
        `labels mix 0 (example ${zero}; 2-class labels are 0/1) with ${labels[ucr]} (example ` +
          `${ucr}; UCR classes are 1–5): use one labelling or the other`,
      );
    }
    return zero >= 0 ? BINARY_MAPPING : ucr >= 0 ? UCR_MAPPING : undefined;
  };
  const fromTrain = kindOf(train, yTrain);
  if (fromTrain) return fromTrain;
  const fromTest = kindOf(test, yTest);
  if (fromTest) return fromTest;
  throw new DataFormatError(
    yTrain,
    `every label here and in ${basename(yTest)} is 1: cannot tell 2-class labels (1 = abnormal) ` +
      `from UCR classes (1 = normal)`,
  );
}

/**
 * One split from the authors' `.npy` pair. X: n ≥ 1 examples of 140 values (shape (n, 140), or
 * any (n, …) whose trailing dimensions multiply to 140, e.g. (n, 140, 1)), any numeric dtype,
 * cast to float32 without normalisation (as their code does); every value must be finite as a
 * float32. y: n labels, shape (n,) or (n, 1), read with `mapping` (ecgLabelMapping: the same for
 * both splits); a label outside it is an error.
 */
export function ecgSplitFromNpy(
  x: NpyArray,
  y: NpyArray,
  xFile: string,
  yFile: string,
  mapping: EcgLabelMapping,
): Split {
  checkEcgNpyShapes(x, y, xFile, yFile);
  const n = x.shape[0];
  const values = new Float32Array(x.values.length);
  for (let k = 0; k < values.length; k++) {
    const v = finiteFloat32(x.values[k]);
    if (v === undefined) {
      throw new DataFormatError(
        xFile,
        `value ${k} (example ${Math.floor(k / ECG_LENGTH)}) is not finite as a float32 ` +
          `(${x.values[k]})`,
      );
    }
    values[k] = v;
  }
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const c = mapping.map(y.values[k]);
    if (c === undefined) {
      throw new DataFormatError(
        yFile,
        `label ${y.values[k]} (example ${k}) is outside the training labels' mapping ` +
          `(${mapping.describe})`,
      );
    }
    labels[k] = c;
  }
  return { x: values, y: labels, n };
}

/** X is (n ≥ 1, …140 values), y is (n,) or (n, 1). */
function checkEcgNpyShapes(x: NpyArray, y: NpyArray, xFile: string, yFile: string): void {
  const n = x.shape[0];
  if (x.shape.length < 2 || x.shape.slice(1).reduce((a, b) => a * b, 1) !== ECG_LENGTH) {
    throw new DataFormatError(
      xFile,
      `shape (${x.shape.join(", ")}): expected (n, ${ECG_LENGTH}) heartbeats`,
    );
  }
  if (n < 1) {
    throw new DataFormatError(
      xFile,
      `shape (${x.shape.join(", ")}): no examples (need at least one heartbeat)`,
    );
  }
  if (!(y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1)) || y.shape[0] !== n) {
    throw new DataFormatError(
      yFile,
      `shape (${y.shape.join(", ")}): expected (${n},) labels to match ${basename(xFile)}`,
    );
  }
}

/** Both splits from the authors' four `.npy` files, with one label mapping (recorded). */
export function ecgFromNpy(
  arrays: Record<keyof EcgNpyFiles, NpyArray>,
  files: EcgNpyFiles,
): { train: Split; test: Split; labels: string } {
  checkEcgNpyShapes(arrays.xTrain, arrays.yTrain, files.xTrain, files.yTrain);
  checkEcgNpyShapes(arrays.xTest, arrays.yTest, files.xTest, files.yTest);
  const mapping = ecgLabelMapping(
    arrays.yTrain.values,
    arrays.yTest.values,
    files.yTrain,
    files.yTest,
  );
  return {
    train: ecgSplitFromNpy(arrays.xTrain, arrays.yTrain, files.xTrain, files.yTrain, mapping),
    test: ecgSplitFromNpy(arrays.xTest, arrays.yTest, files.xTest, files.yTest, mapping),
    labels: `${mapping.describe} (decided from ${basename(files.yTrain)}, applied to both splits)`,
  };
}

/** File names tried, in order of preference, inside a folder or zip. */
export const ECG_FILE_CANDIDATES: readonly { train: string; test: string }[] = (
  ["txt", "tsv", "ts"] as const
).map((ext) => ({ train: `ECG5000_TRAIN.${ext}`, test: `ECG5000_TEST.${ext}` }));

export function parseEcgSplit(text: string, file: string, format: UcrFormat): Split {
  const parsed = parseUcr(text, file, format, { length: ECG_LENGTH, classes: ECG_CLASSES });
  return { x: parsed.values, y: Uint8Array.from(parsed.labels, binariseEcgLabel), n: parsed.n };
}

function formatFor(file: string): UcrFormat {
  const format = ucrFormatOf(file);
  if (!format) throw new DataFormatError(file, "unknown extension (expected .txt, .tsv or .ts)");
  return format;
}

function readEcgText(path: string): Promise<string> {
  return readTextFileBounded(path, READ_LIMITS.data, "an ECG5000 split");
}

export async function loadEcg5000(
  location: EcgLocation,
): Promise<{ train: Split; test: Split; labels: string }> {
  if (location.kind === "npy") {
    const f = location.files;
    const read = async (path: string) =>
      decodeNpy(await readFileBounded(path, READ_LIMITS.data, "an ECG5000 .npy file"), path);
    const arrays = {
      xTrain: await read(f.xTrain),
      yTrain: await read(f.yTrain),
      xTest: await read(f.xTest),
      yTest: await read(f.yTest),
    };
    return ecgFromNpy(arrays, f);
  }
  if (location.kind === "files") {
    const { train, test } = location;
    return {
      train: parseEcgSplit(await readEcgText(train), train, formatFor(train)),
      test: parseEcgSplit(await readEcgText(test), test, formatFor(test)),
      labels: UCR_MAPPING.describe,
    };
  }
  const zipPath = location.path;
  const bytes = await readFileBounded(zipPath, READ_LIMITS.data, "the ECG5000 archive");
  const entries = listZip(bytes, zipPath);
  const byName = new Map(entries.map((e) => [basename(e.name), e]));
  for (const pair of ECG_FILE_CANDIDATES) {
    const trainEntry = byName.get(pair.train);
    const testEntry = byName.get(pair.test);
    if (!trainEntry || !testEntry) continue;
    const decoder = new TextDecoder();
    const read = async (entry: typeof trainEntry) =>
      decoder.decode(await extractZipEntry(bytes, entry, zipPath));
    return {
      train: parseEcgSplit(
        await read(trainEntry),
        `${zipPath}!${pair.train}`,
        formatFor(pair.train),
      ),
      test: parseEcgSplit(await read(testEntry), `${zipPath}!${pair.test}`, formatFor(pair.test)),
      labels: UCR_MAPPING.describe,
    };
  }
  throw new DataFormatError(zipPath, "zip holds no ECG5000_TRAIN/ECG5000_TEST .txt/.tsv/.ts pair");
}
