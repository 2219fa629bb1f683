/**
 * The speed benchmark of issue #8 (scripts/bench.ts, lib/bench/, lib/gpu/timing.ts): the
 * --quick run as a subprocess prints only valid JSON-line records covering every GEMM variant,
 * shape and noise type; the comparison computes its fractions and ratios correctly on hand-made
 * records; bad flags exit with code 2; a TimedBatch computes what a Batch computes. No timing is
 * asserted beyond "positive and finite".
 */
import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { GpuTimer, hasTimestamps } from "../../lib/gpu/timing.ts";
import { gemm, gemmVariants } from "../../lib/ops/gemm.ts";
import { compareRecords, formatComparison } from "../../lib/bench/compare.ts";
import { benchPlan, gemmShapes } from "../../lib/bench/plan.ts";
import {
  type BenchRecord,
  type CnnStepRecord,
  type GemmRecord,
  type NoiseOverheadRecord,
  parseRecords,
  recordProblems,
  type StepRecord,
} from "../../lib/bench/records.ts";
import { TimedBatch } from "../../lib/bench/timed_batch.ts";
import { profile } from "../../lib/bench/profile.ts";
import { runDeno } from "../helpers.ts";

const SCRIPT = new URL("../../scripts/bench.ts", import.meta.url).pathname;

function bench(args: string[]) {
  return runDeno(["run", "-A", SCRIPT, ...args]);
}

Deno.test("bench --quick prints valid records for every variant, shape and noise type", async () => {
  const r = await bench(["--quick"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  const records = lines.map((line, i) => {
    const value = JSON.parse(line); // every stdout line is JSON
    assert.deepEqual(recordProblems(value), [], `line ${i + 1}: ${line}`);
    return value as BenchRecord;
  });
  const [first] = records;
  assert.equal(first.kind, "adapter");
  for (const rec of records) {
    assert.equal(rec.impl, "ours");
    assert.ok(["timestamp", "wall"].includes(rec.method), rec.method);
    assert.equal(typeof rec.adapter, "string");
    assert.equal(typeof rec.backend, "string");
  }
  assert.equal(records.filter((x) => x.kind === "adapter").length, 1);

  const plan = benchPlan("quick");
  const gemms = records.filter((x): x is GemmRecord => x.kind === "gemm");
  const shapes = gemmShapes(plan);
  assert.equal(gemms.length, shapes.length * gemmVariants().length);
  for (const s of shapes) {
    const here = gemms.filter((g) =>
      g.mode === s.mode && g.m === s.m && g.n === s.n && g.k === s.k && g.role === s.role
    );
    assert.deepEqual(here.map((g) => g.variant).sort(), [...gemmVariants()].sort(), s.role);
    assert.equal(here.filter((g) => g.chosen).length, 1, `one chosen variant for ${s.role}`);
    for (const g of here) {
      assert.ok(Number.isFinite(g.ms) && g.ms > 0, `ms ${g.ms}`);
      assert.ok(Number.isFinite(g.wallMs) && g.wallMs > 0, `wallMs ${g.wallMs}`);
      assert.ok(Number.isFinite(g.tflops) && g.tflops > 0, `tflops ${g.tflops}`);
    }
  }
  assert.ok(gemms.some((g) => g.role === "square" && g.m === plan.squares[0]));

  const steps = records.filter((x): x is StepRecord => x.kind === "step");
  for (const n of plan.widths) {
    const here = steps.filter((s) => s.n === n);
    assert.deepEqual(here.map((s) => s.noiseType).sort(), [0, 1, 2, 3], `noise types at n=${n}`);
    for (const s of here) {
      assert.equal(s.batch, plan.batch);
      assert.ok(Number.isFinite(s.ms) && s.ms > 0, `step ms ${s.ms}`);
    }
    const over = records.filter((x): x is NoiseOverheadRecord =>
      x.kind === "noiseOverhead" && x.n === n
    );
    assert.equal(over.length, 1, `one noiseOverhead line at n=${n}`);
    for (const key of ["type1", "type2", "type3"] as const) {
      const v = over[0][key];
      assert.ok(typeof v === "number" && Number.isFinite(v) && v > -1, `${key} = ${v}`);
    }
    const noise = records.filter((x) => x.kind === "noise" && x.n === n);
    assert.deepEqual(noise.map((x) => (x as { noiseType: number }).noiseType).sort(), [1, 2, 3]);
  }
  const cnn = records.filter((x): x is CnnStepRecord => x.kind === "cnnStep");
  assert.deepEqual(cnn.map((x) => [x.noiseType, x.width, x.batch]), [[0, 2, 4], [1, 2, 4]]);
  for (const x of cnn) assert.ok(x.ms > 0 && Number.isFinite(x.ms), `cnn step ${x.ms} ms`);
  assert.deepEqual(recordProblems(cnn[0]), []);
});

Deno.test("bad flags exit with code 2 before measuring", async () => {
  for (
    const args of [
      ["--bogus"],
      ["--only", "everything"],
      ["--full", "--quick"],
      ["--alpha", "2"],
      ["--variants", "naive,t999"],
      ["--method", "stopwatch"],
      ["--repeats", "0"],
      ["extra"],
      ["--json"],
      ["compare"],
    ]
  ) {
    const r = await bench(args);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, "", `${args.join(" ")} printed to stdout`);
  }
});

const common = (impl: "ours" | "torch") => ({
  impl,
  adapter: impl === "ours" ? "GPU (vulkan)" : "NVIDIA H100",
  backend: impl === "ours" ? "vulkan" : "cuda 13.0",
  method: impl === "ours" ? "timestamp" as const : "cuda-events" as const,
});

function gemmRec(impl: "ours" | "torch", variant: string, tflops: number, chosen: boolean) {
  return {
    kind: "gemm" as const,
    ...common(impl),
    variant,
    mode: "nt",
    role: "hidden-forward",
    width: 10000,
    m: 5000,
    n: 10000,
    k: 784,
    ms: 2 * 5000 * 10000 * 784 / (tflops * 1e12) * 1e3,
    wallMs: 1,
    tflops,
    chosen,
  };
}

function stepRec(impl: "ours" | "torch", noiseType: 0 | 1 | 2 | 3, ms: number) {
  return {
    kind: "step" as const,
    ...common(impl),
    noiseType,
    n: 10000,
    batch: 5000,
    d: 784,
    classes: 10,
    alpha: 1.5,
    ms,
    wallMs: ms,
  };
}

const HAND_MADE: BenchRecord[] = [
  gemmRec("ours", "naive", 10, false),
  gemmRec("ours", "t128x64", 30, true),
  gemmRec("ours", "splitk", 40, false),
  gemmRec("torch", "cublas", 50, true),
  // A square product only we measured: no fraction, not a training shape.
  { ...gemmRec("ours", "t32", 20, true), role: "square", width: null, m: 64, n: 64, k: 64 },
  stepRec("torch", 0, 4),
  stepRec("torch", 1, 4.4),
  stepRec("torch", 2, 5),
  stepRec("torch", 3, 4.8),
  stepRec("ours", 0, 5),
  stepRec("ours", 1, 4.8),
  stepRec("ours", 2, 6),
  stepRec("ours", 3, 5.5),
  {
    kind: "noise",
    ...common("ours"),
    noiseType: 2,
    n: 10000,
    d: 784,
    alpha: 1.5,
    ms: 0.25,
    wallMs: 0.3,
  },
];

const close = (a: number | undefined, b: number) =>
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("compare computes fractions of cuBLAS, step ratios and noise overheads", () => {
  const c = compareRecords(HAND_MADE);
  assert.equal(c.reference, "cublas");
  assert.equal(c.gemms.length, 2);
  const g = c.gemms.find((x) => x.role === "hidden-forward")!;
  assert.equal(g.cublas, 50);
  assert.deepEqual(g.best, { variant: "splitk", tflops: 40 });
  assert.deepEqual(g.chosen, { variant: "t128x64", tflops: 30 });
  close(g.bestFraction, 0.8);
  close(g.chosenFraction, 0.6);
  const sq = c.gemms.find((x) => x.role === "square")!;
  assert.equal(sq.cublas, undefined);
  assert.equal(sq.bestFraction, undefined);

  assert.equal(c.steps.length, 1);
  const s = c.steps[0];
  assert.deepEqual(s.torchMs, [4, 4.4, 5, 4.8]);
  assert.deepEqual(s.oursMs, [5, 4.8, 6, 5.5]);
  [1.25, 1.2, 1.5, 1.375].forEach((v, i) => close(s.vsTorchNoiseless[i], v));
  [1.25, 4.8 / 4.4, 1.2, 5.5 / 4.8].forEach((v, i) => close(s.vsTorchSameNoise[i], v));
  [0, -0.04, 0.2, 0.1].forEach((v, i) => close(s.oursOverhead[i], v));
  [0, 0.1, 0.25, 0.2].forEach((v, i) => close(s.torchOverhead[i], v));
  close(s.oursNoiseAlone[2], 0.05);
  assert.equal(s.oursNoiseAlone[1], undefined);

  // Targets: chosen 60% ≥ 60% passes; steps 1.2 ≤ 1.3 passes, 1.5 and 1.375 fail; overheads
  // −4% and 10% pass, 20% fails.
  assert.deepEqual(c.verdicts.gemmChosen, { checked: 1, passed: 1, worst: 0.6 });
  assert.deepEqual(c.verdicts.gemmBest, { checked: 1, passed: 1, worst: 0.8 });
  assert.equal(c.verdicts.stepRatio.checked, 3);
  assert.equal(c.verdicts.stepRatio.passed, 1);
  close(c.verdicts.stepRatio.worst, 1.5);
  assert.equal(c.verdicts.noiseOverhead.checked, 3);
  assert.equal(c.verdicts.noiseOverhead.passed, 2);
  close(c.verdicts.noiseOverhead.worst, 0.2);

  const text = formatComparison(c);
  assert.match(text, /\| hidden-forward \(n=10000\) \| nt \| 5000×10000×784 \| 50\.0 \|/);
  assert.match(text, /splitk 40\.0 \(80%\)/);
  assert.match(text, /t128x64 30\.0 \(60%\)/);
  assert.match(text, /1\.50×/);
  assert.match(text, /HT-SGD step with noise ≤ 1\.3× PyTorch's noiseless step: FAIL 1\/3/);
});

Deno.test("compare subcommand reads JSON-line files and matches the library", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ours = HAND_MADE.filter((r) => r.impl === "ours");
    const torch = HAND_MADE.filter((r) => r.impl === "torch");
    const lines = (rs: BenchRecord[]) => rs.map((r) => JSON.stringify(r)).join("\n") + "\n";
    await Deno.writeTextFile(`${dir}/ours.jsonl`, lines(ours));
    // A tee'd log line in the torch file is skipped.
    await Deno.writeTextFile(`${dir}/torch.jsonl`, "warming up\n" + lines(torch));
    const r = await bench(["compare", `${dir}/ours.jsonl`, `${dir}/torch.jsonl`, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const expected = JSON.parse(JSON.stringify(compareRecords(HAND_MADE)));
    assert.deepEqual(JSON.parse(r.stdout), expected);
    const table = await bench(["compare", `${dir}/ours.jsonl`, `${dir}/torch.jsonl`]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /Targets \(issue #8\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseRecords names the bad line", () => {
  const good = JSON.stringify(HAND_MADE[0]);
  assert.equal(parseRecords(`${good}\n\nnot json\n${good}\n`).records.length, 2);
  assert.throws(() => parseRecords(`${good}\n{"kind":"gemm"}`, "x.jsonl"), /x\.jsonl:2: gemm\./);
  assert.throws(
    () => parseRecords(JSON.stringify({ ...HAND_MADE[0], ms: -1 }), "y"),
    /y:1: .*ms = -1/,
  );
  assert.throws(() => parseRecords("{oops", "z"), /z:1: not JSON/);
});

const gpuP = Gpu.shared();

Deno.test("TimedBatch computes what Batch computes and times each slot", async () => {
  const gpu = await gpuP;
  if (!hasTimestamps(gpu)) {
    console.log("skipped: no timestamp-query on this adapter");
    return;
  }
  const [m, n, k] = [33, 20, 17];
  const a = gpu.upload(Float32Array.from({ length: m * k }, (_, i) => ((i * 7) % 13) - 6));
  const b = gpu.upload(Float32Array.from({ length: k * n }, (_, i) => ((i * 5) % 11) - 5));
  const outs = [0, 1].map(() => gpu.tensor([m * n]));
  const copies = [0, 1].map(() => gpu.tensor([m * n]));
  const timer = new GpuTimer(gpu, 2);
  try {
    // Two passes (a copy splits them), parameters in the uniform arena.
    const record = (batch: TimedBatch | ReturnType<typeof gpu.batch>, i: number) => {
      gemm(gpu, batch, "nn", a, b, outs[i], m, n, k, { variant: "t32" });
      batch.copy(outs[i], copies[i]);
      gemm(gpu, batch, "nn", a, b, outs[i], m, n, k, { variant: "naive", accumulate: true });
    };
    const plain = gpu.batch();
    record(plain, 0);
    plain.submit();
    for (const slot of [0, 1]) {
      const timed = new TimedBatch(gpu, timer);
      record(timed, 1);
      assert.equal(timed.length, 3);
      assert.equal(timed.passes, 2);
      timed.slot = slot;
      timed.submit();
      assert.equal(timed.length, 0);
    }
    assert.deepEqual(await outs[1].read(), await outs[0].read());
    assert.deepEqual(await copies[1].read(), await copies[0].read());
    const ms = await timer.read();
    assert.equal(ms.length, 2);
    for (const v of ms) assert.ok(Number.isFinite(v) && v >= 0, `slot ms ${v}`);
    assert.throws(() => timer.begin(2), /slot 2/);
    const empty = new TimedBatch(gpu, timer);
    empty.slot = 0;
    assert.throws(() => empty.submit(), /at least one dispatch/);
  } finally {
    timer.destroy();
    for (const t of [a, b, ...outs, ...copies]) t.destroy();
  }
});

Deno.test("bench profile --quick prints the step and evaluation breakdowns", async () => {
  const r = await bench(["profile", "--quick"]);
  assert.equal(r.code, 0, r.stderr);
  for (const what of ["Training step, SGD", "Training step, Type II", "Evaluation pass over 96"]) {
    assert.ok(r.stdout.includes(what), `${what} in:\n${r.stdout}`);
  }
  for (const cat of ["GEMMs", "softmax/CE", "gathers", "noise", "copies", "host: submits"]) {
    assert.ok(r.stdout.includes(`| ${cat}`), `${cat} row in:\n${r.stdout}`);
  }
  assert.ok(r.stdout.includes("host: read-backs (copy + map) | 1 |"), r.stdout);
});

Deno.test("profile: both methods see every dispatch, copy, submit and read-back", async () => {
  const gpu = await Gpu.shared();
  const a = gpu.upload(new Float32Array(64).fill(1));
  const b = gpu.upload(new Float32Array(64).fill(2));
  const c = gpu.tensor([64]);
  const d = gpu.tensor([64]);
  const methods = hasTimestamps(gpu)
    ? ["timestamp", "submit-groups"] as const
    : ["submit-groups"] as const;
  for (const method of methods) {
    const p = await profile(gpu, async () => {
      const batch = gpu.batch();
      gemm(gpu, batch, "nn", a, b, c, 8, 8, 8);
      batch.copy(c, d);
      gemm(gpu, batch, "nn", d, b, c, 8, 8, 8, { relu: true });
      batch.submit();
      await c.read();
    }, { method });
    assert.equal(p.method, method);
    const gemms = p.gpu.find((x) => x.category === "GEMMs")!;
    assert.equal(gemms.count, 2, method);
    assert.ok(Number.isFinite(gemms.ms) && gemms.ms >= 0, `${method}: ${gemms.ms}`);
    assert.equal(p.gpu.find((x) => x.category === "copies")!.count, 1);
    assert.equal(p.submits.count, 1);
    assert.equal(p.maps.count, 1);
    assert.deepEqual(Array.from(await c.read()).slice(0, 2), [256, 256]); // (8·1·2)·2·8 = 256
  }
  assert.equal(gpu.profiler, undefined, "the profiler is removed afterwards");
  for (const t of [a, b, c, d]) t.destroy();
});

Deno.test("bench cpu --quick compares with PyTorch on the CPU (skipped without torch)", async () => {
  const probe = await new Deno.Command("python3", { args: ["-c", "import torch"], stderr: "null" })
    .output().catch(() => undefined);
  if (!probe?.success) {
    console.log("python3 with torch not found: skipped");
    return;
  }
  const r = await bench(["cpu", "--quick"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes("Ratios ours / PyTorch"), r.stdout);
  for (const width of [16, 32]) {
    const row = r.stdout.split("\n").filter((l) => l.startsWith(`| ${width} |`));
    assert.equal(row.length, 2, `two rows for n=${width}`);
    assert.ok(!row[1].includes("—"), `every ratio present: ${row[1]}`);
  }
});
