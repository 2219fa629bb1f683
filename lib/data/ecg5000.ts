/**
 * ECG5000 (UCR archive): 5000 heartbeats of 140 samples, 5 classes, standard split 500 train /
 * 4500 test. Series are already z-normalised, so no normalisation is applied (as in the authors'
 * code, which only casts to float32).
 *
 * Binarisation: the implicit-compressibility code trains ECG5000 with `num_classes = 2`, but the
 * class mapping it used is not published (docs/papers.md §A.1). We use the standard
 * normal-vs-abnormal binarisation: UCR class 1 ("normal" beat) → 0, classes 2–5 (the abnormal
 * beat types) → 1.
 */

import { basename } from "node:path";
import { DataFormatError, type Split } from "./dataset.ts";
import { parseUcr, type UcrFormat, ucrFormatOf } from "./ucr.ts";
import { extractZipEntry, listZip } from "./zip.ts";

export const ECG_LENGTH = 140;
export const ECG_CLASSES = [1, 2, 3, 4, 5] as const;

/** UCR class 1 (normal) → 0; classes 2–5 (abnormal) → 1. */
export function binariseEcgLabel(ucrClass: number): 0 | 1 {
  return ucrClass === 1 ? 0 : 1;
}

/** Where the series are: the two split files, or the zip that holds them. */
export type EcgLocation =
  | { kind: "files"; train: string; test: string }
  | { kind: "zip"; path: string };

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
