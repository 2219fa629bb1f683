/**
 * Pinned SHA-256 of a dataset's file CONTENTS (the IDX bytes after gunzip), so the same data is
 * recognised however it was compressed: the upstream .gz files, Debian's re-compressed copies
 * (package `dataset-fashion-mnist`, whose .gz differ from the published MD5), the plain files
 * that bench/bundle.sh carries to the GPU machine as .xz. Files whose content differs from a pin
 * are refused (ChecksumError); datasets without pins are checked as before (fetch.ts).
 *
 * Also: where a Debian package installs a dataset (`apt-get install dataset-fashion-mnist`), used
 * when the download cache does not hold it.
 */
import { join } from "node:path";
import type { FileDatasetName } from "./dataset.ts";
import { readMaybeGzip, sha256Hex } from "./bytes.ts";
import { ChecksumError } from "./fetch.ts";
import type { IdxFiles } from "./locate.ts";

/** Content SHA-256 per IDX role; checked on 2026-12-02 against both .gz sources named above. */
export const CONTENT_SHA256: Partial<Record<FileDatasetName, Record<keyof IdxFiles, string>>> = {
  "fashion-mnist": {
    trainImages: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    trainLabels: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    testImages: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    testLabels: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
  },
};

/** Folders where Debian packages put a dataset's files. */
export const SYSTEM_DIRS: Partial<Record<FileDatasetName, string>> = {
  "fashion-mnist": "/usr/share/datasets/fashion-mnist",
};

/** The system folder of `name` when it exists, else undefined. */
export async function systemDir(name: FileDatasetName): Promise<string | undefined> {
  const dir = SYSTEM_DIRS[name];
  if (!dir) return undefined;
  try {
    return (await Deno.stat(join(dir))).isDirectory ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks the IDX files of `name` against the content pins; returns a line per file ("content
 * SHA-256 … matches the pin") or [] when `name` has no pins. Throws ChecksumError on a mismatch.
 */
export async function verifyContentPins(name: FileDatasetName, files: IdxFiles): Promise<string[]> {
  const pins = CONTENT_SHA256[name];
  if (!pins) return [];
  const lines: string[] = [];
  for (const [role, pin] of Object.entries(pins) as [keyof IdxFiles, string][]) {
    const got = sha256Hex(await readMaybeGzip(files[role]));
    if (got !== pin) {
      throw new ChecksumError(
        files[role],
        `content SHA-256 ${got} differs from the pinned ${name} ${role} ${pin} ` +
          `(lib/data/pins.ts): not the ${name} data`,
      );
    }
    lines.push(`${files[role]}: content SHA-256 ${pin} matches the pin`);
  }
  return lines;
}
