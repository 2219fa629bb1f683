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
 * authors' four `.npy` files (`X_train.npy`, `y_train.npy`, `X_test.npy`, `y_test.npy`).
 */

import { basename } from "node:path";
import { DataFormatError, type Split } from "./dataset.ts";
import { decodeNpy, type NpyArray } from "../formats/npy.ts";
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
 * One split from the authors' `.npy` pair. X: n examples of 140 values (shape (n, 140), or any
 * (n, …) whose trailing dimensions multiply to 140, e.g. (n, 140, 1)), any numeric dtype, cast to
 * float32 without normalisation (as their code does). y: n labels, shape (n,) or (n, 1); labels
 * that are all 0/1 are used as they are (the authors' 2-class labels); labels in 1–5 are the UCR
 * classes and are binarised as the text files are (1 → 0, 2–5 → 1); anything else is an error.
 */
export function ecgSplitFromNpy(x: NpyArray, y: NpyArray, xFile: string, yFile: string): Split {
  const n = x.shape[0];
  if (x.shape.length < 2 || x.shape.slice(1).reduce((a, b) => a * b, 1) !== ECG_LENGTH) {
    throw new DataFormatError(
      xFile,
      `shape (${x.shape.join(", ")}): expected (n, ${ECG_LENGTH}) heartbeats`,
    );
  }
  if (!(y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1)) || y.shape[0] !== n) {
    throw new DataFormatError(
      yFile,
      `shape (${y.shape.join(", ")}): expected (${n},) labels to match ${basename(xFile)}`,
    );
  }
  for (let k = 0; k < x.values.length; k++) {
    if (!Number.isFinite(x.values[k])) {
      throw new DataFormatError(
        xFile,
        `value ${k} (example ${Math.floor(k / ECG_LENGTH)}) is not finite`,
      );
    }
  }
  const labels = Array.from(y.values);
  const binary = labels.every((v) => v === 0 || v === 1);
  const ucr = labels.every((v) => (ECG_CLASSES as readonly number[]).includes(v));
  if (!binary && !ucr) {
    const bad = labels.find((v) => !(ECG_CLASSES as readonly number[]).includes(v) && v !== 0);
    throw new DataFormatError(
      yFile,
      `label ${bad} is neither a 2-class label (0/1) nor a UCR class (1–5)`,
    );
  }
  return {
    x: Float32Array.from(x.values),
    y: Uint8Array.from(labels, (v) => (binary ? v : binariseEcgLabel(v))),
    n,
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

export async function loadEcg5000(location: EcgLocation): Promise<{ train: Split; test: Split }> {
  if (location.kind === "npy") {
    const f = location.files;
    const read = async (path: string) => decodeNpy(await Deno.readFile(path), path);
    return {
      train: ecgSplitFromNpy(await read(f.xTrain), await read(f.yTrain), f.xTrain, f.yTrain),
      test: ecgSplitFromNpy(await read(f.xTest), await read(f.yTest), f.xTest, f.yTest),
    };
  }
  if (location.kind === "files") {
    const { train, test } = location;
    return {
      train: parseEcgSplit(await Deno.readTextFile(train), train, formatFor(train)),
      test: parseEcgSplit(await Deno.readTextFile(test), test, formatFor(test)),
    };
  }
  const zipPath = location.path;
  const bytes = await Deno.readFile(zipPath);
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
    };
  }
  throw new DataFormatError(zipPath, "zip holds no ECG5000_TRAIN/ECG5000_TEST .txt/.tsv/.ts pair");
}
