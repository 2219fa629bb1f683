import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { injectNoise, noiseScale, noiseStream, validateNoiseSpec } from "../../lib/noise/inject.ts";
import type { NoiseSpec, NoiseType } from "../../lib/noise/spec.ts";
import { injectNoiseRef } from "../../lib/reference/noise_inject.ts";
import { sampleNoise, sampleStable, streamNoise, streamStable } from "../../lib/noise/sample.ts";
import { runDeno } from "../helpers.ts";

/** Deterministic non-zero starting weights. */
function startWeights(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.05);
}

interface RunOptions {
  spec: NoiseSpec;
  lr?: number;
  seed?: number;
  layer?: number;
  step?: number;
  workgroupSize?: number;
  maxGroups?: number;
}

/** Injects on the GPU into `w0` (rows×cols) and reads the result back. */
async function gpuInject(w0: Float32Array, rows: number, cols: number, o: RunOptions) {
  const gpu = await Gpu.shared();
  const w = gpu.upload(w0, [rows, cols]);
  const batch = gpu.batch();
  injectNoise(gpu, batch, w, rows, cols, {
    spec: o.spec,
    lr: o.lr ?? 0.01,
    seed: o.seed ?? 7,
    layer: o.layer ?? 1,
    step: o.step ?? 5,
    workgroupSize: o.workgroupSize,
    maxGroups: o.maxGroups,
  });
  batch.submit();
  const out = await w.read();
  w.destroy();
  return out;
}

function refInject(w0: Float32Array, rows: number, cols: number, o: RunOptions) {
  const w = Float32Array.from(w0);
  injectNoiseRef(w, rows, cols, {
    spec: o.spec,
    lr: o.lr ?? 0.01,
    seed: o.seed ?? 7,
    layer: o.layer ?? 1,
    step: o.step ?? 5,
  });
  return w;
}

Deno.test("noise scale is σ·lr^{1/α}", () => {
  const s = noiseScale({ type: 2, alpha: 1.75, sigma: 0.003 }, 0.01);
  assert.ok(Math.abs(s - 2.159e-4) < 1e-7, `${s}`);
  assert.equal(noiseScale({ type: 1, alpha: 2, sigma: 1 }, 0.25), 0.5);
  assert.throws(() => noiseScale({ type: 1, alpha: 2, sigma: 1 }, 0), /lr/);
});

Deno.test("noise specs are validated, naming the bad field", () => {
  assert.deepEqual(validateNoiseSpec({ type: 3, alpha: 1.5, sigma: 0.1 }), {
    type: 3,
    alpha: 1.5,
    sigma: 0.1,
  });
  assert.throws(() => validateNoiseSpec({ type: 4, alpha: 1.5, sigma: 1 }), /noise\.type/);
  assert.throws(() => validateNoiseSpec({ type: "II", alpha: 1.5, sigma: 1 }), /noise\.type/);
  for (const alpha of [0, -1, 2.0001, NaN, "1.5"]) {
    assert.throws(() => validateNoiseSpec({ type: 2, alpha, sigma: 1 }), /noise\.alpha/);
  }
  for (const sigma of [-0.1, Infinity, NaN]) {
    assert.throws(() => validateNoiseSpec({ type: 2, alpha: 1.5, sigma }), /noise\.sigma/);
  }
  assert.throws(() => validateNoiseSpec({ type: 3, alpha: 2, sigma: 1 }), /noise\.alpha.*Type III/);
  assert.throws(
    () => validateNoiseSpec({ type: 1, alpha: 2, sigma: 1, alpha2Convention: "scipy" }),
    /alpha2Convention/,
  );
  assert.throws(() => validateNoiseSpec(null), /object/);
});

Deno.test("injectNoise validates its arguments", async () => {
  const gpu = await Gpu.shared();
  const w = gpu.tensor([4, 3]);
  const spec: NoiseSpec = { type: 2, alpha: 1.5, sigma: 1 };
  const ok = { spec, lr: 0.1, seed: 1, layer: 0, step: 0 };
  const b = gpu.batch();
  assert.throws(() => injectNoise(gpu, b, w, 3, 3, ok), /rows·cols/);
  assert.throws(() => injectNoise(gpu, b, w, 4, 3, { ...ok, layer: -1 }), /layer/);
  assert.throws(() => injectNoise(gpu, b, w, 4, 3, { ...ok, layer: 1024 }), /layer/);
  assert.throws(() => injectNoise(gpu, b, w, 4, 3, { ...ok, seed: 1.5 }), /seed/);
  assert.throws(() => injectNoise(gpu, b, w, 4, 3, { ...ok, step: -1 }), /step/);
  assert.throws(() => injectNoise(gpu, b, w, 4, 3, { ...ok, lr: -1 }), /lr/);
  assert.throws(
    () => injectNoise(gpu, b, w, 4, 3, { ...ok, spec: { ...spec, sigma: -1 } }),
    /sigma/,
  );
  assert.throws(() => injectNoiseRef(new Float32Array(5), 4, 3, ok), /rows·cols/);
  assert.equal(b.length, 0);
  w.destroy();
  assert.notEqual(noiseStream(0, 0), noiseStream(0, 1));
  assert.notEqual(noiseStream(0, 1), noiseStream(1, 0));
});

const SPECS: NoiseSpec[] = [
  { type: 1, alpha: 1.5, sigma: 0.3 },
  { type: 2, alpha: 1.5, sigma: 0.3 },
  { type: 3, alpha: 1.5, sigma: 0.3 },
  { type: 1, alpha: 2, sigma: 0.3 },
  { type: 1, alpha: 2, sigma: 0.3, alpha2Convention: "authors" },
  { type: 2, alpha: 2, sigma: 0.3 },
  { type: 2, alpha: 0.7, sigma: 0.3 },
  { type: 3, alpha: 1.9, sigma: 0.3 },
];

Deno.test("GPU injection equals the CPU reference for each type", async () => {
  const [rows, cols] = [257, 33];
  const w0 = startWeights(rows * cols);
  for (const spec of SPECS) {
    const got = await gpuInject(w0, rows, cols, { spec });
    const want = refInject(w0, rows, cols, { spec });
    // Tolerance: 1e-4 of the increment, plus 1e-6 of the row's largest increment (Type III's
    // Box–Muller cosine has an absolute error), plus an f32 ulp of the weight.
    for (let r = 0; r < rows; r++) {
      let rowMax = 0;
      for (let c = 0; c < cols; c++) {
        rowMax = Math.max(rowMax, Math.abs(want[r * cols + c] - w0[r * cols + c]));
      }
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        const inc = Math.abs(want[i] - w0[i]);
        const tol = 1e-4 * inc + 1e-6 * rowMax + 2 ** -23 * Math.abs(want[i]);
        if (!(Math.abs(got[i] - want[i]) <= tol)) {
          assert.fail(`${JSON.stringify(spec)} element ${i}: gpu ${got[i]} vs ref ${want[i]}`);
        }
      }
    }
  }
});

Deno.test("Type I adds one value per row; Type III rows are scaled Gaussian vectors", async () => {
  const [rows, cols] = [100, 20];
  const zeros = new Float32Array(rows * cols);
  const t1 = await gpuInject(zeros, rows, cols, { spec: { type: 1, alpha: 1.5, sigma: 1 } });
  const t3 = await gpuInject(zeros, rows, cols, { spec: { type: 3, alpha: 1.5, sigma: 1 } });
  const rowValues = new Set<number>();
  for (let r = 0; r < rows; r++) {
    const row = t1.subarray(r * cols, (r + 1) * cols);
    assert.ok(row.every((v) => v === row[0]), `Type I row ${r} is not constant`);
    rowValues.add(row[0]);
    const row3 = t3.subarray(r * cols, (r + 1) * cols);
    assert.ok(new Set(row3).size === cols, `Type III row ${r} has repeated values`);
  }
  assert.equal(rowValues.size, rows);
});

Deno.test("injection is bit-identical across workgroup sizes, grids and repeats", async () => {
  const [rows, cols] = [129, 41];
  const w0 = startWeights(rows * cols);
  for (const type of [1, 2, 3] as NoiseType[]) {
    const spec: NoiseSpec = { type, alpha: 1.7, sigma: 0.5 };
    const first = await gpuInject(w0, rows, cols, { spec });
    // 2 ** 31: no cap (the full grid, also on a CPU adapter, whose default is capped).
    const grids = [[64, undefined], [256, undefined], [32, 3], [1, 7], [64, 2 ** 31], [1, 2 ** 31]];
    for (const [workgroupSize, maxGroups] of grids) {
      const again = await gpuInject(w0, rows, cols, { spec, workgroupSize, maxGroups });
      assert.deepEqual(new Uint32Array(again.buffer), new Uint32Array(first.buffer));
    }
    for (const change of [{ step: 6 }, { layer: 2 }, { seed: 8 }]) {
      const other = await gpuInject(w0, rows, cols, { spec, ...change });
      assert.notDeepEqual(other, first, `${JSON.stringify(change)} did not change the noise`);
    }
  }
});

Deno.test("several layers in one batch share the row scratch safely", async () => {
  const gpu = await Gpu.shared();
  const shapes = [[300, 10], [50, 7], [1200, 3]];
  const w0 = shapes.map(([r, c]) => startWeights(r * c));
  const ws = shapes.map(([r, c], l) => gpu.upload(w0[l], [r, c]));
  const batch = gpu.batch();
  const spec: NoiseSpec = { type: 3, alpha: 1.6, sigma: 0.2 };
  shapes.forEach(([r, c], l) =>
    injectNoise(gpu, batch, ws[l], r, c, { spec, lr: 0.1, seed: 3, layer: l, step: 9 })
  );
  batch.submit();
  for (let l = 0; l < shapes.length; l++) {
    const [r, c] = shapes[l];
    const got = await ws[l].read();
    const want = Float32Array.from(w0[l]);
    injectNoiseRef(want, r, c, { spec, lr: 0.1, seed: 3, layer: l, step: 9 });
    for (let i = 0; i < got.length; i++) {
      assert.ok(
        Math.abs(got[i] - want[i]) <= 1e-4 * Math.abs(want[i] - w0[l][i]) + 1e-5,
        `layer ${l} ${i}`,
      );
    }
    ws[l].destroy();
  }
});

Deno.test("type 0 and σ = 0 leave the weights untouched", async () => {
  const w0 = startWeights(64 * 9);
  for (
    const spec of [{ type: 0, alpha: 2, sigma: 1 }, {
      type: 3,
      alpha: 1.5,
      sigma: 0,
    }] as NoiseSpec[]
  ) {
    const got = await gpuInject(w0, 64, 9, { spec });
    assert.deepEqual(got, w0);
  }
});

Deno.test("the scale multiplies the increments by σ·lr^{1/α}", async () => {
  const gpu = await Gpu.shared();
  for (const type of [1, 2, 3] as NoiseType[]) {
    const unit = await sampleNoise(gpu, {
      spec: { type, alpha: 1.75, sigma: 1 },
      rows: 64,
      cols: 16,
      seed: 4,
    });
    const spec: NoiseSpec = { type, alpha: 1.75, sigma: 0.003 };
    const scaled = await sampleNoise(gpu, { spec, rows: 64, cols: 16, seed: 4, lr: 0.01 });
    const s = noiseScale(spec, 0.01);
    for (let i = 0; i < unit.length; i++) {
      assert.ok(
        Math.abs(scaled[i] - s * unit[i]) <= 1e-6 * Math.abs(s * unit[i]),
        `type ${type} ${i}`,
      );
    }
  }
});

/** Empirical characteristic function of column 0 of a rows×cols noise sample vs exp(−|ct|^α). */
function assertCharFn(x: Float32Array, cols: number, alpha: number, c: number, what: string) {
  const rows = x.length / cols;
  const phi = (t: number) => Math.exp(-(Math.abs(c * t) ** alpha));
  for (const t of [0.5, 1, 2]) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += Math.cos(t * x[r * cols]);
    s /= rows;
    const se = Math.sqrt(((1 + phi(2 * t)) / 2 - phi(t) ** 2) / rows);
    assert.ok(Math.abs(s - phi(t)) < 3 * se, `${what} t=${t}: ${s} vs ${phi(t)}`);
  }
}

Deno.test("marginal laws: Types I/II are SαS(1), Type III is SαS(1/√2)", async () => {
  const gpu = await Gpu.shared();
  const rows = 200_000;
  const alpha = 1.6;
  for (const type of [1, 2, 3] as NoiseType[]) {
    const x = await sampleNoise(gpu, { spec: { type, alpha, sigma: 1 }, rows, cols: 2, seed: 21 });
    assertCharFn(x, 2, alpha, type === 3 ? Math.SQRT1_2 : 1, `type ${type}`);
  }
  // α = 2, Type I: variance 2 with the CMS convention, 1 with the authors' N(0, 1).
  for (const [conv, v] of [["cms", 2], ["authors", 1]] as const) {
    const spec: NoiseSpec = { type: 1, alpha: 2, sigma: 1, alpha2Convention: conv };
    const x = await sampleNoise(gpu, { spec, rows, cols: 1, seed: 22 });
    let m2 = 0;
    for (const u of x) m2 += u * u;
    m2 /= rows;
    // SE of the second moment ≈ v·√(2/n) ≈ 0.0032·v.
    assert.ok(Math.abs(m2 - v) < 0.012 * v, `${conv}: variance ${m2}`);
  }
});

// ---------------------------------------------------------------------------------------------
// CLI (scripts/noise.ts), run as a subprocess.

const SCRIPT = new URL("../../scripts/noise.ts", import.meta.url).pathname;

function cli(args: string[]) {
  return runDeno(["run", "-A", SCRIPT, ...args]);
}

Deno.test("streamed noise in row blocks equals one dispatch and the CPU reference", async () => {
  const gpu = await Gpu.shared();
  const [rows, cols] = [37, 5];
  for (const type of [1, 2, 3] as const) {
    const spec = { type, alpha: 1.6, sigma: 0.5 };
    const opts = { spec, rows, cols, lr: 0.1, seed: 9, layer: 2, step: 11 };
    const whole = await sampleNoise(gpu, opts);
    const blocks: number[] = [];
    const streamed = new Float32Array(rows * cols);
    // 4 rows per block (20 elements), the last block short: 4·9 + 1.
    await streamNoise(gpu, { ...opts, chunkElements: 4 * cols + 3 }, (x, start) => {
      blocks.push(x.length);
      streamed.set(x, start);
    });
    assert.deepEqual(blocks, [...Array(9).fill(20), 5]);
    assert.deepEqual(streamed, whole, `type ${type}`);
    const ref = new Float32Array(rows * cols);
    injectNoiseRef(ref, rows, cols, { spec, lr: 0.1, seed: 9, layer: 2, step: 11 });
    for (let i = 0; i < ref.length; i++) {
      assert.ok(
        Math.abs(whole[i] - ref[i]) <= 1e-4 * Math.abs(ref[i]) + 1e-12,
        `type ${type} ${i}`,
      );
    }
  }
  // Stable fills stream the same way (counter word 0 = index of the sample).
  const parts: Float32Array[] = [];
  await streamStable(gpu, 1000, { kind: "sas", alpha: 1.2, seed: 3, chunk: 300 }, (x) => {
    parts.push(Float32Array.from(x));
  });
  assert.deepEqual(parts.map((p) => p.length), [300, 300, 300, 100]);
  const joined = new Float32Array(1000);
  parts.forEach((p, k) => joined.set(p, 300 * k));
  assert.deepEqual(joined, await sampleStable(gpu, 1000, { kind: "sas", alpha: 1.2, seed: 3 }));
});

Deno.test("CLI writes n float32 samples equal to the reference and a summary line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/samples.f32`;
    const r = await cli([
      "--type",
      "II",
      "--alpha",
      "1.75",
      "--n",
      "1000",
      "--seed",
      "1",
      "--out",
      file,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /adapter=.* n=1000 median=/);
    const bytes = await Deno.readFile(file);
    assert.equal(bytes.byteLength, 4000);
    const got = new Float32Array(bytes.buffer);
    const want = new Float32Array(1000);
    injectNoiseRef(want, 1000, 1, {
      spec: { type: 2, alpha: 1.75, sigma: 1 },
      lr: 1,
      seed: 1,
      layer: 0,
      step: 0,
    });
    for (let i = 0; i < 1000; i++) {
      assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * Math.abs(want[i]));
    }
    const k = await cli(["--kind", "positive", "--alpha", "1.5", "--n", "333", "--out", file]);
    assert.equal(k.code, 0, k.stderr);
    assert.equal((await Deno.stat(file)).size, 333 * 4);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["samples.f32"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CLI rejects bad flags with exit code 2 and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/bad.f32`;
    const cases: [string[], RegExp][] = [
      [["--alpha", "1.5", "--n", "10", "--bogus", "1"], /bogus/],
      [["--alpha", "2.5", "--n", "10"], /--alpha/],
      [["--type", "III", "--alpha", "2", "--n", "10"], /--alpha.*Type III/],
      [["--type", "IV", "--alpha", "1.5", "--n", "10"], /--type/],
      [["--alpha", "1.5", "--n", "0"], /--n/],
      [["--type", "I", "--alpha", "1.5", "--n", "10", "--sigma=-1"], /--sigma/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli([...args, "--out", file]);
      assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, msg);
    }
    const missing = await cli(["--alpha", "1.5", "--n", "10"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--out/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
