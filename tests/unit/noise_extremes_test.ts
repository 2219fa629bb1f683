/**
 * The draw-level check of a collapse check (lib/figures/common/noise_extremes.ts): the output of
 * bench/noise_run_extremes.ts is used only when it describes exactly the runs in the store, and
 * every expectation is recomputed from the exact law; the KS helper (ks_uniform.ts); and the bound
 * the bench script's filter relies on.
 */
import assert from "node:assert/strict";
import {
  compareWithLaw,
  type ExtremesRun,
  FILTER_FLOOR,
  parseExtremes,
  runP,
  summariseExtremes,
} from "../../lib/figures/common/noise_extremes.ts";
import { kolmogorovQ, ksDistanceUniform, ksPValue } from "../../lib/figures/common/ks_uniform.ts";
import { sasTwoSidedTail } from "../../lib/analysis/stable_tail.ts";
import { sasFromWords } from "../../lib/reference/stable.ts";
import type { RunRow } from "../../lib/figures/common/figure_runs.ts";
import { extremesLine } from "../../lib/figures/implicit/fig_seeds.ts";
import { runRowFixture } from "../helpers.ts";

const CHECK = { alpha: 1.75, seeds: [1, 2, 3] };
const DRAWS_PER_STEP = 512 * 784;

function line(seed: number, over: Partial<ExtremesRun> = {}): ExtremesRun {
  return {
    seed,
    alpha: 1.75,
    noisySteps: 300,
    draws: 300 * DRAWS_PER_STEP,
    maxAbsX: 2e4,
    over: { "1e+3": 150, "1e+4": 3, "1e+5": 0 },
    ...over,
  };
}

function row(seed: number, steps: number, collapsed = false): RunRow {
  return runRowFixture({
    seed,
    steps,
    pruningRatio: collapsed ? 0.99 : 0.3,
    prunedTrainAcc: collapsed ? 10 : 90,
    prunedTestAcc: collapsed ? 10 : 90,
    maxAbsHidden: collapsed ? 1000 : 20,
    runKey: `k${seed}`,
  });
}

const text = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join("\n");

Deno.test("extremes lines: the check's α and exactly its seeds; the summary line skipped", () => {
  const ok = parseExtremes(
    text([line(2), line(1), { summary: true, runs: 3 }, line(3)]) + "\n\n",
    CHECK,
  );
  assert.ok("runs" in ok);
  assert.deepEqual(ok.runs.map((r) => r.seed), [2, 1, 3]);
  const cases: [string, RegExp][] = [
    [text([line(1), line(2)]), /seeds \(1,2\) are not the check's/],
    [text([line(1), line(2), line(3), line(3)]), /seeds \(1,2,3,3\)/],
    [text([line(1), line(2, { alpha: 1.5 }), line(3)]), /line 2 \(seed 2\) has alpha 1.5/],
    [text([line(1), line(2), { ...line(3), over: { "1e+3": 1 } }]), /line 3/],
    [text([line(1), line(2, { maxAbsX: -1 }), line(3)]), /line 2/],
    [text([line(1), line(2, { draws: 300 * DRAWS_PER_STEP + 1 }), line(3)]), /not a multiple/],
    [[JSON.stringify(line(1)), "{oops"].join("\n"), /line 2 is not JSON/],
    ["", /seeds \(none\)/],
  ];
  for (const [t, why] of cases) {
    const r = parseExtremes(t, CHECK);
    assert.ok("error" in r, `refused: ${why}`);
    assert.match(r.error, why);
  }
});

Deno.test("extremes are refused unless each line has its run's noisy steps (steps − 1)", () => {
  const lines = [line(1), line(2), line(3)];
  const rows = [row(1, 301), row(2, 301), row(3, 301)];
  assert.ok(!("error" in summariseExtremes(lines, rows)));
  const other = summariseExtremes(lines, [row(1, 301), row(2, 276), row(3, 301)]);
  assert.ok("error" in other);
  assert.match(other.error, /seed 2 trained 276 steps here \(275 with noise\).*other runs/);
  const missing = summariseExtremes(lines, [row(1, 301), row(3, 301)]);
  assert.ok("error" in missing && /seed 2 has no run/.test(missing.error));
  assert.ok("error" in summariseExtremes([], []));
});

Deno.test("extremes summary: Poisson expectations, per-run p and the collapsed runs' ranks", () => {
  const n = 300 * DRAWS_PER_STEP;
  const lines = [
    line(1, { maxAbsX: 2.2e6, over: { "1e+3": 160, "1e+4": 5, "1e+5": 1 } }),
    line(2, { maxAbsX: 1.5e4 }),
    line(3, { maxAbsX: 9e4, over: { "1e+3": 140, "1e+4": 4, "1e+5": 0 } }),
  ];
  const s = summariseExtremes(lines, [row(1, 301, true), row(2, 301), row(3, 301, true)]);
  assert.ok(!("error" in s));
  assert.equal(s.runs, 3);
  assert.deepEqual(s.beyond.map((b) => b.count), [450, 12, 1]);
  for (const b of s.beyond) {
    assert.ok(Math.abs(b.expected - 3 * n * sasTwoSidedTail(1.75, b.x)) < 1e-9 * b.expected);
    assert.ok(b.pAbove > 0 && b.pAbove <= 1);
  }
  // Seed 1's 2.2·10⁶ is far out in the law's tail for 1.2·10⁸ draws: p ≈ n·P(|X| > x).
  assert.equal(s.runsWithP, 3);
  assert.equal(s.smallest!.seed, 1);
  assert.ok(Math.abs(s.smallest!.p / (n * sasTwoSidedTail(1.75, 2.2e6)) - 1) < 1e-3);
  assert.deepEqual(s.collapsed, [{ seed: 1, maxAbsX: 2.2e6 }, { seed: 3, maxAbsX: 9e4 }]);
  assert.equal(s.collapsedAreTop, true);
  assert.equal(s.beyondSmallestCollapsed!.x, 9e4);
  assert.equal(s.beyondSmallestCollapsed!.runs, 2);
  const text = extremesLine("Check", "x.jsonl", s);
  assert.match(text, /^Check, the noise our 3 runs drew, .*\(x\.jsonl; every line matches/);
  assert.match(text, /beyond 10³: 450 \(expected [\d.]+, Poisson P\(≥\) = /);
  assert.match(
    text,
    /The 2 collapsed runs are the runs with the largest draws \(seed 1: 2\.2·10⁶, seed 3: 9·10⁴\)/,
  );
  assert.match(text, /2 runs reached the smallest of these \(9·10⁴\).*descriptive only/);
  // A collapsed run below a non-collapsed one: not the top draws.
  const mixed = summariseExtremes(lines, [row(1, 301), row(2, 301, true), row(3, 301)]);
  assert.ok(!("error" in mixed));
  assert.equal(mixed.collapsedAreTop, false);
  assert.match(extremesLine("C", "x", mixed), /collapsed runs are not the runs with the largest/);
  const none = summariseExtremes(lines, [row(1, 301), row(2, 301), row(3, 301)]);
  assert.ok(!("error" in none));
  assert.deepEqual(none.collapsed, []);
  assert.equal(none.beyondSmallestCollapsed, undefined);
  assert.match(extremesLine("C", "x", none), /No run of the check collapsed\.$/);
});

Deno.test("a run whose largest draw is at or below the bench filter's floor gets no p", () => {
  assert.equal(runP({ alpha: 1.75, draws: 1e8, maxAbsX: FILTER_FLOOR }), null);
  assert.ok(runP({ alpha: 1.75, draws: 1e8, maxAbsX: 2 * FILTER_FLOOR })! > 0);
  const law = compareWithLaw([line(1), line(2, { maxAbsX: 900 }), line(3)]);
  assert.equal(law.runs, 3);
  assert.equal(law.runsWithP, 2);
  const none = compareWithLaw([line(1, { maxAbsX: 500 })]);
  assert.equal(none.runsWithP, 0);
  assert.equal(none.smallest, undefined);
  const s = summariseExtremes([line(1), line(2, { maxAbsX: 900 }), line(3)], [
    row(1, 301),
    row(2, 301),
    row(3, 301),
  ]);
  assert.ok(!("error" in s));
  assert.match(extremesLine("C", "x", s), /; 1 run without a draw beyond 10³\)/);
});

Deno.test("KS against uniform: distance, and p from the Kolmogorov law", () => {
  assert.equal(ksDistanceUniform([0.5]), 0.5);
  assert.ok(Math.abs(ksDistanceUniform([0.1, 0.3, 0.5, 0.7, 0.9]) - 0.1) < 1e-12);
  assert.ok(Number.isNaN(ksDistanceUniform([])));
  // Exact p for n = 40, D = 0.1349 is 0.423 (scipy.stats.kstwo); the corrected asymptotic is
  // within 0.01.
  assert.ok(Math.abs(ksPValue(40, 0.1349) - 0.423) < 0.01);
  // Q(1.36) ≈ 0.049 (the familiar 5% point), Q(1.63) ≈ 0.0098.
  assert.ok(Math.abs(kolmogorovQ(1.36) - 0.0494) < 0.001);
  assert.ok(Math.abs(kolmogorovQ(1.63) - 0.0098) < 0.0005);
  assert.equal(kolmogorovQ(0), 1);
  assert.ok(ksPValue(40, 0.9) < 1e-20);
  assert.ok(Number.isNaN(ksPValue(0, 0.1)));
});

Deno.test("bench filter bound: a draw with u₁ ≥ 10⁻⁴ from both ends never passes |X| = 10³ at α ≥ 1.5", () => {
  // bench/noise_run_extremes.ts turns a draw into X only when the high word puts u₁ within 10⁻⁴
  // of an end; everything it counts (|X| > 10³) must lie inside that set, with W at either end
  // (u₂ at 2⁻⁶⁵: W = 45; u₂ near 1: W ≈ 0) and across the whole rest of u₁'s range.
  const threshold = Math.floor(1e-4 * 2 ** 32);
  let largest = 0;
  for (const alpha of [1.5, 1.6, 1.75, 1.9, 1.99]) {
    for (let i = 0; i <= 400; i++) {
      // Log-spaced high words (31 bits: bit 31 picks the half) from the filter's edge up to ½.
      const hi = Math.min(Math.floor(threshold * (2 ** 31 / threshold) ** (i / 400)), 2 ** 31 - 1);
      for (const upper of [0, 0x80000000]) {
        for (const w of [[0, 0], [0x80000000, 0], [0x7fffffff, 0xffffffff]]) {
          const x = Math.abs(sasFromWords(alpha, [(hi | upper) >>> 0, 0, w[0], w[1]]));
          largest = Math.max(largest, x);
        }
      }
    }
  }
  assert.ok(largest < 1e3, `largest |X| outside the filter: ${largest}`);
  assert.ok(largest > 100, "the grid reaches the filter's edge");
});
