/**
 * Helpers shared by the tests: deterministic inputs, one-batch GPU runs, element-wise comparisons,
 * the stable samplers evaluated on chosen Philox words, small configs, and (at the end) builders
 * of small valid data files in every format the loaders read, written independently of the
 * readers in lib/data (only the zip CRC comes from lib, and it has its own known-answer test).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { crc32 } from "../lib/data/zip.ts";
import { STABLE_FILL } from "../lib/gpu/kernels.ts";
import { type Batch, type Gpu, groups1d, type Tensor } from "../lib/gpu/runtime.ts";
import type { GpuNetwork } from "../lib/model/gpu_network.ts";
import type { RunRow } from "../lib/figures/common/figure_runs.ts";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Runs `deno <args>` from the repository root; exit code and decoded output. */
export async function runDeno(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

export { uniform } from "./uniform.ts";

/** Runs `fn` with a fresh temporary folder, removed afterwards whatever `fn` does. */
export async function withTempDir(
  fn: (dir: string) => Promise<void>,
  prefix = "htsgd-test-",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `record` in one batch and reads the tensors back. */
export async function runBatch(gpu: Gpu, record: (b: Batch) => void, ...read: Tensor[]) {
  const batch = gpu.batch();
  record(batch);
  batch.submit();
  return await Promise.all(read.map((t) => t.read()));
}

/** |got − want| ≤ tol (a number, or a function of want) element-wise; NaN matches NaN. */
export function assertClose(
  got: Float32Array,
  want: ArrayLike<number>,
  tol: number | ((w: number) => number),
  what: string,
) {
  assert.ok(got.length >= want.length, `${what}: short result`);
  const bound = typeof tol === "number" ? () => tol : tol;
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (Number.isNaN(w) && Number.isNaN(got[i])) continue;
    if (!(Math.abs(got[i] - w) <= bound(w))) {
      assert.fail(`${what}[${i}] = ${got[i]}, want ${w} (tol ${bound(w)})`);
    }
  }
}

/** Bit-level equality, so −0 vs +0 and NaN are compared exactly. */
export function assertBits(got: Float32Array, want: Float32Array, what: string) {
  const g = new Uint32Array(got.buffer, got.byteOffset, want.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      assert.fail(`${what}[${i}] = ${got[i]}, want ${want[i]}`);
    }
  }
}

/** The samplers of kernels/stable_fill.wgsl, by entry point. */
export type MapEntry =
  | "map_sas"
  | "map_positive"
  | "map_normal"
  | "map_unit_half"
  | "map_exponential";

/** Runs a map_* entry of stable_fill.wgsl on explicit words, four per sample. */
export async function mapWords(
  gpu: Gpu,
  entry: MapEntry,
  alpha: number,
  quads: Uint32Array,
): Promise<Float32Array> {
  const n = quads.length / 4;
  const out = gpu.tensor([n]);
  const input: Tensor = gpu.upload(quads);
  const k = gpu.kernel(STABLE_FILL, { WG: 64 }, entry);
  const params = { seed: 0, stream: 0, step: 0, offset: 0, n, alpha };
  gpu.batch().dispatch(k, { out, words: input }, groups1d(gpu, n, 64), params).submit();
  const v = await out.read();
  out.destroy();
  input.destroy();
  return v;
}

/**
 * A small valid training config on the synthetic blobs (Type I noise, 30 steps): the base of the
 * grid, fault and fuzz tests, which add example limits or axes.
 */
export const SMALL_SYNTHETIC_CONFIG = {
  dataset: "synthetic",
  width: 16,
  depth: 2,
  lr: 0.1,
  batchSize: 32,
  evalEvery: 10,
  maxSteps: 30,
  convergenceAccuracy: 100,
  noise: { type: 1, alpha: 1.8, sigma: 0.2 },
  seed: 1,
} as const;

/** One forward/backward/SGD step of `net` on (x, y); the new weights and the batch's mean loss. */
export async function gpuSgdStep(
  gpu: Gpu,
  net: GpuNetwork,
  x: Float32Array,
  y: Uint32Array,
  rows: number,
  lr: number,
): Promise<{ weights: Float32Array[]; loss: number }> {
  net.x.write(x);
  net.y.write(y);
  const stats = gpu.tensor([2]);
  const batch = gpu.batch();
  net.forwardLoss(batch, rows, true, stats, 0); // as the trainer records it
  net.backward(batch, rows);
  net.sgd(batch, lr);
  batch.submit();
  const weights = await net.readWeights();
  const [lossSum] = await stats.read();
  stats.destroy();
  return { weights, loss: lossSum / rows };
}

// ---- data files ------------------------------------------------------------------------------

export async function compress(
  bytes: Uint8Array,
  format: "gzip" | "deflate-raw",
): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream(format),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An IDX u8 file: magic (big-endian), dims (big-endian u32), data. */
export function idxBytes(magic: number, dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Pixel (i, p) of the fixture images: a simple pattern covering 0..255. */
export const idxPixel = (i: number, p: number) => (i * 37 + p * 11) % 256;

/** `n` 28×28 images (pixels from idxPixel) and labels (i mod 10) as IDX bytes. */
export function mnistLike(n: number, labelOffset = 0): { images: Uint8Array; labels: Uint8Array } {
  const pixels = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) for (let p = 0; p < 784; p++) pixels[i * 784 + p] = idxPixel(i, p);
  const labels = Uint8Array.from({ length: n }, (_, i) => (i + labelOffset) % 10);
  return {
    images: idxBytes(0x803, [n, 28, 28], pixels),
    labels: idxBytes(0x801, [n], labels),
  };
}

/** CIFAR records: each `labels[i]` (1 or 2 bytes) then 3072 pixels; channel c of record i = cifarPixel. */
export const cifarPixel = (i: number, c: number, p: number) => (i * 7 + c * 80 + p) % 256;

export function cifarRecords(labels: readonly (readonly number[])[], first = 0): Uint8Array {
  const labelBytes = labels[0].length;
  const record = labelBytes + 3072;
  const out = new Uint8Array(labels.length * record);
  labels.forEach((lab, r) => {
    out.set(lab, r * record);
    const i = first + r;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) {
        out[r * record + labelBytes + c * 1024 + p] = cifarPixel(i, c, p);
      }
    }
  });
  return out;
}

const encoder = new TextEncoder();

/** The bytes of `parts`, one after another. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A ustar archive of regular files. */
export function tarBytes(files: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { name, data } of files) {
    const h = new Uint8Array(512);
    const put = (text: string, at: number) => h.set(encoder.encode(text), at);
    put(name, 0);
    put("0000644\0", 100);
    put("0001750\0", 108);
    put("0001750\0", 116);
    put(data.length.toString(8).padStart(11, "0") + "\0", 124);
    put("14712345670\0", 136);
    put("        ", 148);
    put("0", 156);
    put("ustar\0" + "00", 257);
    const sum = h.reduce((s, b) => s + b, 0);
    put(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    parts.push(h, data, new Uint8Array((512 - data.length % 512) % 512));
  }
  parts.push(new Uint8Array(1024));
  return concat(...parts);
}

/** A zip archive; entries are deflated when `deflate` is set, stored otherwise. */
export async function zipBytes(
  files: readonly { name: string; data: Uint8Array }[],
  deflate: boolean,
): Promise<Uint8Array> {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBytes = encoder.encode(name);
    const body = deflate ? await compress(data, "deflate-raw") : data;
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cd = concat(...centrals);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, offset, true);
  return concat(...locals, cd, eocd);
}

/** Series value j of row i (exactly representable in f32). */
export const ecgValue = (i: number, j: number) => ((i * 31 + j * 7) % 64 - 32) / 8;

/** UCR rows with the given class labels, in the given format. */
export function ucrText(classes: readonly number[], format: "txt" | "tsv" | "ts"): string {
  const rows = classes.map((cls, i) => {
    const values = Array.from({ length: 140 }, (_, j) => ecgValue(i, j));
    if (format === "txt") {
      return "  " + [cls, ...values].map((v) => v.toExponential(7)).join("  ");
    }
    if (format === "tsv") return [cls, ...values].join("\t");
    return values.join(",") + ":" + cls;
  });
  const header = format === "ts"
    ? "# fixture\n@problemName ECG5000\n@timeStamps false\n@univariate true\n" +
      "@classLabel true 1 2 3 4 5\n@data\n"
    : "";
  return header + rows.join("\n") + "\n";
}

/** A fake fetcher serving `routes` (url → bytes or HTTP status), recording every URL asked for. */
export function fakeFetcher(routes: Record<string, Uint8Array | number>) {
  const calls: string[] = [];
  const fetcher = (url: string): Promise<Response> => {
    calls.push(url);
    const route = routes[url];
    if (route === undefined) return Promise.reject(new TypeError("fetch failed (fake)"));
    if (typeof route === "number") return Promise.resolve(new Response("nope", { status: route }));
    return Promise.resolve(new Response(route as Uint8Array<ArrayBuffer>));
  };
  return { fetcher, calls };
}

/** A figure run row (lib/figures/common/figure_runs.ts) of a Type II α 1.75 run at n = 512. */
export function runRowFixture(over: Partial<RunRow> = {}): RunRow {
  return {
    dataset: "digits",
    datasetLabel: "d",
    width: 512,
    method: "Type II",
    alpha: 1.75,
    sigma: 0.003,
    seed: 1,
    steps: 200,
    stopReason: "converged",
    trainAcc: 95,
    testAcc: 92,
    pruningRatio: 0.3,
    prunedTrainAcc: 90,
    prunedTestAcc: 90,
    maxAbsHidden: 10,
    curve: [],
    runKey: "k",
    cached: true,
    ...over,
  };
}
