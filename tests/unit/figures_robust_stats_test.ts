/**
 * The heavy-tail-proof statistics of the report: quartiles, the collapse rule, Hodges–Lehmann
 * estimates with their signed-rank / Mann–Whitney intervals (against textbook critical values),
 * and Fisher's exact test (against values computed by hand from binomial coefficients).
 */
import assert from "node:assert/strict";
import {
  formatRobust,
  medianOf,
  quantileSorted,
  robustSummary,
} from "../../lib/figures/common/robust_summary.ts";
import { collapseByArm, countCollapsed, isCollapsed } from "../../lib/figures/common/collapse.ts";
import {
  mannWhitneyCounts,
  medianWithInterval,
  normalCdf,
  normalQuantile,
  nullCdf,
  pairedShift,
  signedRankCounts,
  twoSampleShift,
} from "../../lib/figures/common/rank_tests.ts";
import { fisherExact } from "../../lib/figures/common/fisher.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} is not within ${tol} of ${b}`);

Deno.test("robust summary: type-7 quartiles, median, mean ± sd; empty and one value", () => {
  const r = robustSummary([4, 1, 3, 2, NaN]);
  assert.equal(r.n, 4);
  close(r.median, 2.5);
  close(r.q1, 1.75);
  close(r.q3, 3.25);
  close(r.mean, 2.5);
  close(r.sd, Math.sqrt(5 / 3));
  assert.equal(robustSummary([]).n, 0);
  assert.ok(Number.isNaN(robustSummary([]).median));
  assert.deepEqual(robustSummary([7]), { n: 1, median: 7, q1: 7, q3: 7, mean: 7, sd: 0 });
  assert.equal(formatRobust(robustSummary([])), "–");
  assert.equal(formatRobust(robustSummary([7])), "7.0 (n = 1)");
  assert.match(formatRobust(r), /^median 2\.5 \[IQR 1\.8–3\.3\]; mean 2\.5 ± 1\.3 \(n = 4\)$/);
  assert.ok(Number.isNaN(medianOf([])));
  assert.throws(() => quantileSorted([1], 1.5), RangeError);
  // One collapsed seed moves the mean by 7 pp, the median not at all.
  const gains = [20, 21, 19, 22, 18, 20, 21, 19, 20];
  const withCollapse = [...gains, 89];
  assert.equal(medianOf(gains), 20);
  assert.equal(medianOf(withCollapse), 20);
  assert.ok(robustSummary(withCollapse).mean - robustSummary(gains).mean > 6.5);
});

Deno.test("collapse rule: ≥ 80% pruned AND > 20 pp accuracy lost; both needed", () => {
  assert.equal(isCollapsed({ pruningRatio: 0.826, testAcc: 95, prunedTestAcc: 40 }), true);
  assert.equal(isCollapsed({ pruningRatio: 0.8, testAcc: 95, prunedTestAcc: 74.9 }), true);
  assert.equal(isCollapsed({ pruningRatio: 0.8, testAcc: 95, prunedTestAcc: 75 }), false);
  assert.equal(isCollapsed({ pruningRatio: 0.79, testAcc: 95, prunedTestAcc: 10 }), false);
  assert.equal(isCollapsed({ pruningRatio: 0.95, testAcc: 95, prunedTestAcc: 94 }), false);
  assert.equal(isCollapsed({ pruningRatio: NaN, testAcc: 95, prunedTestAcc: 10 }), false);
  const rows = [
    { arm: "Type II", pruningRatio: 0.975, testAcc: 95, prunedTestAcc: 19.3 },
    { arm: "Type II", pruningRatio: 0.3, testAcc: 95, prunedTestAcc: 94 },
    { arm: "Type II", pruningRatio: NaN, testAcc: NaN, prunedTestAcc: NaN }, // diverged
    { arm: "SGD", pruningRatio: 0.1, testAcc: 95, prunedTestAcc: 95 },
  ];
  assert.deepEqual(countCollapsed(rows), { collapsed: 1, runs: 3 });
  assert.deepEqual(countCollapsed([]), { collapsed: 0, runs: 0 });
  const all = rows.slice(0, 1).concat(rows.slice(0, 1));
  assert.deepEqual(countCollapsed(all), { collapsed: 2, runs: 2 }, "all collapsed");
  assert.deepEqual([...collapseByArm(rows, (r) => r.arm)], [
    ["Type II", { collapsed: 1, runs: 2 }],
    ["SGD", { collapsed: 0, runs: 1 }],
  ]);
});

/** The largest c with P(stat ≤ c) ≤ p: the lower critical value of a table. */
function critical(counts: ReturnType<typeof signedRankCounts>, p: number): number {
  let c = -1;
  while (nullCdf(counts, c + 1) <= p) c++;
  return c;
}

Deno.test("exact null distributions: textbook critical values (two-sided 0.05)", () => {
  // Wilcoxon signed rank, two-sided 0.05: n = 6 → 0, 8 → 3, 10 → 8, 20 → 52.
  for (const [n, c] of [[6, 0], [8, 3], [10, 8], [20, 52]]) {
    assert.equal(critical(signedRankCounts(n), 0.025), c, `signed rank n = ${n}`);
  }
  assert.equal(signedRankCounts(5).total, 32);
  close(nullCdf(signedRankCounts(5), 0), 1 / 32);
  // Mann–Whitney U, two-sided 0.05: (5, 5) → 2, (6, 8) → 8, (10, 10) → 23, (20, 20) → 127.
  for (const [m, n, c] of [[5, 5, 2], [6, 8, 8], [10, 10, 23], [20, 20, 127]]) {
    assert.equal(critical(mannWhitneyCounts(m, n), 0.025), c, `U (${m}, ${n})`);
  }
  // (5, 5): C(10, 5) = 252 arrangements, P(U ≤ 2) = 4/252.
  assert.equal(mannWhitneyCounts(5, 5).total, 252);
  close(nullCdf(mannWhitneyCounts(5, 5), 2), 4 / 252);
  assert.equal(mannWhitneyCounts(40, 20).total > 4e15, true); // C(60, 20) ≈ 4.19e15
  close(mannWhitneyCounts(40, 20).total / 4.191844505805495e15, 1, 1e-12);
  close(normalQuantile(0.975), 1.959963985, 1e-8);
  close(normalQuantile(0.001), -3.090232306, 1e-8);
  close(normalCdf(1.959963985), 0.975, 1e-6);
});

Deno.test("Hodges–Lehmann: small sets by hand, intervals and their confidence", () => {
  // Walsh averages of {1, 2, 10}: 1, 1.5, 2, 5.5, 6, 10 → median 3.75.
  close(pairedShift([1, 2, 10]).estimate, 3.75);
  close(pairedShift([1, 2, 3]).estimate, 2);
  // n = 6: P(T⁺ ≤ 0) = 1/64 ≤ 0.025 → [smallest, largest] Walsh average, confidence 62/64.
  const six = pairedShift([3, 5, 6, 8, 9, 14]);
  assert.equal(six.lo, 3);
  assert.equal(six.hi, 14);
  close(six.confidence, 1 - 2 / 64);
  // n = 5 cannot reach 95%: the whole range at 1 − 2/32 = 93.75%.
  close(pairedShift([1, 2, 3, 4, 5]).confidence, 0.9375);
  // Two samples: differences {1, 2, 3} → 2; (5, 5) → [D(3), D(23)] at 1 − 8/252.
  close(twoSampleShift([1, 2, 3], [0]).estimate, 2);
  const x = [11, 12, 13, 14, 15];
  const y = [0, 1, 2, 3, 4];
  const t = twoSampleShift(x, y);
  close(t.estimate, 11);
  const d = x.flatMap((a) => y.map((b) => a - b)).sort((a, b) => a - b);
  assert.equal(t.lo, d[2]);
  assert.equal(t.hi, d[22]);
  close(t.confidence, 1 - 8 / 252);
  // Robust: one collapsed seed (+89 pp) barely moves the estimate; its interval stays above 0.
  const gains = [20, 21, 19, 22, 18, 20, 21, 19, 20];
  const a = pairedShift(gains);
  const b = pairedShift([...gains, 89]);
  assert.ok(Math.abs(b.estimate - a.estimate) <= 0.5, `${a.estimate} → ${b.estimate}`);
  assert.ok(b.lo > 15 && b.confidence >= 0.95);
});

Deno.test("Hodges–Lehmann edge cases: empty, n = 1, all ties, normal approximation", () => {
  const none = pairedShift([]);
  assert.ok(Number.isNaN(none.estimate));
  assert.equal(none.confidence, 0);
  assert.ok(Number.isNaN(twoSampleShift([], [1, 2]).estimate), "empty arm");
  const one = pairedShift([4]);
  assert.equal(one.estimate, 4);
  assert.equal(one.confidence, 0, "one value carries no confidence");
  const ties = pairedShift([2, 2, 2, 2, 2, 2, 2]);
  assert.deepEqual([ties.estimate, ties.lo, ties.hi], [2, 2, 2]);
  const tied2 = twoSampleShift([1, 1, 1, 1], [1, 1, 1, 1]);
  assert.deepEqual([tied2.estimate, tied2.lo, tied2.hi], [0, 0, 0]);
  // Large samples switch to the normal approximation; the interval matches the exact one closely.
  const big = Array.from({ length: 250 }, (_, i) => Math.sin(i) * 10 + 1);
  const approx = pairedShift(big);
  assert.equal(approx.method, "normal");
  close(approx.confidence, 0.95, 0.002);
  const exact = pairedShift(big.slice(0, 200));
  assert.equal(exact.method, "exact");
  const xs = Array.from({ length: 120 }, (_, i) => Math.cos(i) * 5);
  const ys = Array.from({ length: 100 }, (_, i) => Math.sin(3 * i) * 5);
  const mw = twoSampleShift(xs, ys);
  assert.equal(mw.method, "normal");
  close(mw.confidence, 0.95, 0.002);
});

Deno.test("Fisher's exact test: 5/40 vs 0/20 and the lady tasting tea", () => {
  // 5 of 40 vs 0 of 20: P(X = 5) = C(40,5)/C(60,5) = 0.12048 (one-sided); the two-sided p adds
  // the tables X = 1 (0.03548) and X = 0 (0.00284), no likelier than the observed one: 0.15880.
  const r = fisherExact(5, 40, 0, 20);
  close(r.greater, 658008 / 5461512, 1e-12);
  close(r.twoSided, 0.15880437505218334, 1e-12);
  close(r.less, 1, 1e-12);
  // Fisher's tea: 3 of 4 vs 1 of 4 → one-sided 17/70, two-sided 34/70.
  const tea = fisherExact(3, 4, 1, 4);
  close(tea.greater, 17 / 70, 1e-12);
  close(tea.twoSided, 34 / 70, 1e-12);
  // Edges: no events, all events, an empty arm.
  close(fisherExact(0, 10, 0, 10).twoSided, 1, 1e-12);
  close(fisherExact(10, 10, 10, 10).twoSided, 1, 1e-12);
  close(fisherExact(0, 0, 3, 10).twoSided, 1, 1e-12);
  close(fisherExact(10, 10, 0, 10).twoSided, 2 / 184756, 1e-15); // 2 / C(20, 10)
  assert.throws(() => fisherExact(6, 5, 0, 5), RangeError);
  assert.throws(() => fisherExact(1.5, 5, 0, 5), RangeError);
});

Deno.test("median with its sign-test interval: Conover's n = 10 → x(2), x(9); one outlier ignored", () => {
  const x = [3, 1, 4, 1.5, 5, 9, 2, 6, 8, 7];
  const r = medianWithInterval(x);
  close(r.estimate, 4.5);
  assert.deepEqual([r.lo, r.hi], [1.5, 8]);
  close(r.confidence, 1 - 22 / 1024);
  const wild = medianWithInterval([...x.slice(0, 9), -1e6]);
  assert.equal(wild.lo, 1, "the outlier only shifts the order statistics by one place");
  close(medianWithInterval([1, 2, 3, 4, 5]).confidence, 1 - 2 / 32);
  assert.equal(medianWithInterval([]).confidence, 0);
  assert.equal(medianWithInterval([2]).estimate, 2);
});
