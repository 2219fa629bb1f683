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
  tableVerdict,
  theoryVerdict,
  widthVerdict,
} from "../../lib/figures/common/claims.ts";
import type { FigureContext } from "../../lib/figures/common/context.ts";
import { PRESETS } from "../../lib/figures/common/presets.ts";
import {
  combineVerdicts,
  effectTest,
  judgeCorrelation,
  judgeEffects,
  judgeFacts,
  meanInterval,
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
  assert.equal(v.outcome, "inconclusive", "a match on stand-in data, one seed");
  assert.ok(v.caveats.some((c) => /stand-in data/.test(c)));

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
