/**
 * Downloads into the data cache, with checksum checks.
 *
 * Cache layout: `<cache>/<dataset>/<file>` plus `<cache>/checksums.json` (see checksums.ts).
 * A download streams to a temp file in the same folder while hashing; only when the MD5 matches
 * the published one (torchvision's table) is it renamed into place and its SHA-256 recorded.
 * Files with no published checksum (ECG5000) are trusted on first download and pinned by SHA-256.
 * The fetcher is a parameter so tests can drive this without a network.
 */

import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DataUnavailableError, type FileDatasetName } from "./dataset.ts";
import { hashFile, isFile } from "./bytes.ts";
import { type ChecksumRecord, readChecksums, recordChecksum } from "./checksums.ts";
import { removeOnInterrupt } from "../interrupt.ts";

export interface SourceFile {
  /** File name inside `<cache>/<dataset>/`. */
  file: string;
  /** Mirrors, tried in order. */
  urls: readonly string[];
  /** Published MD5, when one exists. */
  md5?: string;
}

const MNIST_MIRRORS = [
  "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "http://yann.lecun.com/exdb/mnist/",
];
const FASHION_MIRRORS = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"];

const idxFiles = (mirrors: string[], md5s: readonly string[]): SourceFile[] =>
  [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  ]
    .map((base, i) => ({
      file: `${base}.gz`,
      urls: mirrors.map((m) => m + base + ".gz"),
      md5: md5s[i],
    }));

/** Canonical sources. IDX lists are in the order train images, train labels, test images, test labels. */
export const SOURCES: Record<FileDatasetName, readonly SourceFile[]> = {
  mnist: idxFiles(MNIST_MIRRORS, [
    "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "d53e105ee54ea40749a09fcbcd1e9432",
    "9fb629c4189551a2d022fa330f9573f3",
    "ec29112dd5afa0611ce80d1b7f02629c",
  ]),
  "fashion-mnist": idxFiles(FASHION_MIRRORS, [
    "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "25c81989df183df01b3e8a0aad5dffbe",
    "bef4ecab320f06d8554ea6380940ec79",
    "bb300cfdad3c16e7a12a480ee83cd310",
  ]),
  cifar10: [{
    file: "cifar-10-binary.tar.gz",
    urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
    md5: "c32a1d4ab5d03f1284b67883e8d87530",
  }],
  cifar100: [{
    file: "cifar-100-binary.tar.gz",
    urls: ["https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"],
    md5: "03b5dce01913d631647c71ecec9e9cb8",
  }],
  // No published checksum: trusted on first download, then pinned by SHA-256.
  ecg5000: [{
    file: "ECG5000.zip",
    urls: ["https://www.timeseriesclassification.com/aeon-toolkit/ECG5000.zip"],
  }],
};

/** The published MD5 for a file name, if any source lists it. */
export function publishedMd5(fileName: string): string | undefined {
  for (const files of Object.values(SOURCES)) {
    for (const f of files) if (f.file === fileName && f.md5) return f.md5;
  }
  return undefined;
}

/** `$HTSGD_DATA_DIR`, else `.cache/data` under the project root. */
export function defaultCacheDir(): string {
  const fromEnv = Deno.env.get("HTSGD_DATA_DIR");
  if (fromEnv) return fromEnv;
  return fileURLToPath(new URL("../../.cache/data", import.meta.url));
}

export type Fetcher = (url: string) => Promise<Response>;

/** Real network fetch with a generous overall timeout, so a stalled mirror cannot hang a run. */
export const networkFetcher: Fetcher = (url) =>
  fetch(url, { signal: AbortSignal.timeout(30 * 60_000) });

/** A file's checksums do not match what was published or recorded. */
export class ChecksumError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = "ChecksumError";
  }
}

/** No mirror delivered a verified copy. */
export class DownloadError extends DataUnavailableError {
  constructor(readonly file: string, readonly attempts: readonly string[]) {
    super(`could not download ${file}: ${attempts.join("; ")}`);
    this.name = "DownloadError";
  }
}

export interface DownloadResult {
  md5: string;
  sha256: string;
  bytes: number;
  url: string;
}

/**
 * Fetches `src` into `dest`, trying each mirror; the file appears at `dest` only after its MD5
 * (when published) matches. Leaves nothing behind on failure.
 */
export async function downloadVerified(
  src: SourceFile,
  dest: string,
  fetcher: Fetcher,
  log: (line: string) => void = () => {},
): Promise<DownloadResult> {
  const dir = dirname(dest);
  await Deno.mkdir(dir, { recursive: true });
  const attempts: string[] = [];
  for (const url of src.urls) {
    const tmp = await Deno.makeTempFile({ dir, prefix: `.${src.file}.`, suffix: ".tmp" });
    const release = removeOnInterrupt(tmp); // Ctrl-C skips the finally below
    try {
      log(`downloading ${url}`);
      const response = await fetcher(url);
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        attempts.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const md5 = createHash("md5");
      const sha = createHash("sha256");
      let bytes = 0;
      const file = await Deno.open(tmp, { write: true, truncate: true });
      await response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            md5.update(chunk);
            sha.update(chunk);
            bytes += chunk.length;
            controller.enqueue(chunk);
          },
        }),
      ).pipeTo(file.writable); // closes the file
      const result = { md5: md5.digest("hex"), sha256: sha.digest("hex"), bytes, url };
      if (src.md5 && result.md5 !== src.md5) {
        attempts.push(`${url}: MD5 ${result.md5} does not match published ${src.md5}`);
        continue;
      }
      await Deno.rename(tmp, dest);
      return result;
    } catch (e) {
      attempts.push(`${url}: ${(e as Error).message}`);
    } finally {
      await Deno.remove(tmp).catch(() => {}); // already renamed on success
      release();
    }
  }
  throw new DownloadError(src.file, attempts);
}

export interface EnsureOptions {
  cacheDir: string;
  /** Fetch missing files (default true). */
  download?: boolean;
  fetcher?: Fetcher;
  log?: (line: string) => void;
}

export interface CachedFile {
  path: string;
  record: ChecksumRecord;
}

/**
 * Makes sure every file of `name` is in the cache and matches its checksums, downloading what is
 * missing. Returns the files in SOURCES order.
 */
export async function ensureCached(
  name: FileDatasetName,
  opts: EnsureOptions,
): Promise<CachedFile[]> {
  const { cacheDir, download = true, fetcher = networkFetcher, log = () => {} } = opts;
  const out: CachedFile[] = [];
  for (const src of SOURCES[name]) {
    const key = `${name}/${src.file}`;
    const path = join(cacheDir, name, src.file);
    const recorded = (await readChecksums(cacheDir)).files[key];
    if (await isFile(path)) {
      const hashes = await hashFile(path);
      if (recorded) {
        if (hashes.sha256 !== recorded.sha256) {
          throw new ChecksumError(
            path,
            `SHA-256 ${hashes.sha256} differs from ${recorded.sha256} recorded in ` +
              `checksums.json; delete the file to download it again`,
          );
        }
        out.push({ path, record: recorded });
        continue;
      }
      // In the cache but never recorded (e.g. copied in by hand): verify as if just downloaded.
      if (src.md5 && hashes.md5 !== src.md5) {
        throw new ChecksumError(path, `MD5 ${hashes.md5} does not match published ${src.md5}`);
      }
      const { size } = await Deno.stat(path);
      const record: ChecksumRecord = {
        ...hashes,
        bytes: size,
        verifiedBy: src.md5 ? "published-md5" : "first-use",
        recordedAt: new Date().toISOString(),
      };
      await recordChecksum(cacheDir, key, record);
      out.push({ path, record });
      continue;
    }
    if (!download) {
      throw new DataUnavailableError(`${path} is missing and downloads are turned off`);
    }
    const got = await downloadVerified(src, path, fetcher, log);
    if (recorded && got.sha256 !== recorded.sha256) {
      await Deno.remove(path);
      throw new ChecksumError(
        path,
        `downloaded SHA-256 ${got.sha256} differs from ${recorded.sha256} recorded earlier`,
      );
    }
    const record: ChecksumRecord = {
      md5: got.md5,
      sha256: got.sha256,
      bytes: got.bytes,
      verifiedBy: src.md5 ? "published-md5" : "first-use",
      url: got.url,
      recordedAt: new Date().toISOString(),
    };
    if (!src.md5) log(`note: ${src.file} has no published checksum; pinned SHA-256 ${got.sha256}`);
    await recordChecksum(cacheDir, key, record);
    out.push({ path, record });
  }
  return out;
}
