/**
 * The collapse-rate check (lib/figures/common/collapse_check.ts): the PyTorch reference's lines
 * are accepted only for exactly the check's arm and seeds; both sides are counted by the one
 * collapse rule and compared by Fisher's exact test.
 */
import assert from "node:assert/strict";
import {
  checkCounts,
  checkRows,
  loadReference,
  parseReference,
} from "../../lib/figures/common/collapse_check.ts";
import type { CollapseCheck, DatasetPreset } from "../../lib/figures/common/presets.ts";
import { maxAbs, type RunRow } from "../../lib/figures/common/figure_runs.ts";
import {
  largestWeightLine,
  quotedCollapseLines,
  sci,
} from "../../lib/figures/implicit/fig_seeds.ts";
import { fisherExact } from "../../lib/figures/common/fisher.ts";
import { runRowFixture, withTempDir } from "../helpers.ts";

const CHECK: CollapseCheck = { type: 2, alpha: 1.75, seeds: [1, 2, 3], referenceFile: "ref.jsonl" };
const DS = { id: "digits", width: 512, sigma: 0.003 } as DatasetPreset;

function line(seed: number, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    seed,
    steps: 225,
    trainAcc: 95.1,
    testAcc: 92,
    mcePruned: 0.3,
    prunedTestAcc: 91.5,
    maxAbsW0: 0.4,
    noiseType: 2,
    alpha: 1.75,
    sigma: 0.003,
    grid24: false,
    width: 512,
    ...over,
  });
}

function row(seed: number, pruningRatio: number, prunedTestAcc: number, over = {}): RunRow {
  return runRowFixture({
    seed,
    pruningRatio,
    prunedTrainAcc: prunedTestAcc,
    prunedTestAcc,
    runKey: `k${seed}`,
    ...over,
  });
}

Deno.test("reference lines for the check's arm and seeds are accepted (blank lines ignored)", () => {
  const r = parseReference([line(2), "", line(1), line(3), ""].join("\n"), CHECK, DS);
  assert.ok("runs" in r);
  assert.deepEqual(r.runs.map((x) => x.seed), [2, 1, 3]);
});

Deno.test("reference lines of another arm, law, width or seed set are refused, saying why", () => {
  const cases: [string, RegExp][] = [
    [[line(1), line(2, { noiseType: 1 }), line(3)].join("\n"), /line 2 \(seed 2\) has noiseType 1/],
    [[line(1), line(2), line(3, { alpha: 1.5 })].join("\n"), /alpha 1.5, not 1.75/],
    [[line(1, { sigma: 0.01 }), line(2), line(3)].join("\n"), /sigma 0.01, not 0.003/],
    [[line(1, { width: 1024 }), line(2), line(3)].join("\n"), /width 1024, not 512/],
    [[line(1), line(2), line(3, { grid24: true })].join("\n"), /--grid24/],
    [[line(1), line(2)].join("\n"), /missing 3/],
    [[line(1), line(2), line(2)].join("\n"), /missing 3; extra or repeated 2/],
    [[line(1), line(2), line(3), line(4)].join("\n"), /extra or repeated 4/],
    [[line(1), "{not json", line(3)].join("\n"), /line 2 is not JSON/],
    // Blank lines count: the message names the file's line.
    [[line(1), "", "{not json", line(3)].join("\n"), /line 3 is not JSON/],
    [[line(1), line(2, { mcePruned: 1.5 }), line(3)].join("\n"), /line 2/],
    [[line(1), line(2, { testAcc: "92" }), line(3)].join("\n"), /line 2/],
    [[line(1), line(2), JSON.stringify({ seed: 3 })].join("\n"), /line 3/],
    [[line(1), line(2, { maxAbsW0: -1 }), line(3)].join("\n"), /line 2/],
    [[line(1), line(2), line(3, { maxAbsW0: undefined })].join("\n"), /line 3/],
    ["", /missing 1,2,3/],
  ];
  for (const [text, why] of cases) {
    const r = parseReference(text, CHECK, DS);
    assert.ok("error" in r, `refused: ${why}`);
    assert.match(r.error, why);
  }
});

Deno.test("a missing reference file is reported, not counted", async () => {
  await withTempDir(async (dir) => {
    const r = await loadReference(CHECK, DS, dir);
    assert.ok("error" in r);
    assert.match(r.error, /cannot read ref\.jsonl/);
    await Deno.writeTextFile(`${dir}/ref.jsonl`, [line(1), line(2), line(3)].join("\n"));
    const ok = await loadReference(CHECK, DS, dir);
    assert.ok("runs" in ok && ok.runs.length === 3);
  });
});

Deno.test("both sides are counted by the collapse rule and compared by Fisher's exact test", () => {
  // Ours: seed 2 collapsed (95% pruned, accuracy 92 → 15); seed 3 prunes 85% but keeps its
  // accuracy (compressible, not collapsed). Reference: none collapsed; seed 1 loses 30 points
  // at 50% pruned (fragile, not collapsed).
  const rows = [
    row(1, 0.3, 91),
    row(2, 0.95, 15),
    row(3, 0.85, 90),
    row(4, 0.99, 10), // not one of the check's seeds
    row(2, 0.99, 10, { method: "Type I" }), // another arm
    row(2, 0.99, 10, { width: 256 }), // another width
  ];
  const ours = checkRows(DS, CHECK, rows);
  assert.deepEqual(ours.map((r) => r.seed), [1, 2, 3]);
  const ref = parseReference(
    [line(1, { mcePruned: 0.5, prunedTestAcc: 62 }), line(2), line(3)].join("\n"),
    CHECK,
    DS,
  );
  const c = checkCounts(ours, ref);
  assert.deepEqual(c.ours, { collapsed: 1, runs: 3 });
  assert.deepEqual(c.oursCollapsedSeeds, [2]);
  assert.deepEqual(c.reference, { collapsed: 0, runs: 3 });
  assert.deepEqual(c.referenceCollapsedSeeds, []);
  const f = fisherExact(1, 3, 0, 3);
  assert.equal(c.fisher!.twoSided, f.twoSided);
  assert.equal(c.fisher!.greater, f.greater);
  assert.ok(Math.abs(c.fisher!.twoSided - 1) < 1e-9); // 1 of 3 vs 0 of 3: no evidence at all
  // Extreme: 40 of 40 against 0 of 40 is decisive (p = 2·C(80,40)⁻¹).
  const e = fisherExact(40, 40, 0, 40);
  assert.ok(e.twoSided < 1e-20 && e.twoSided > 0);
  const bad = checkCounts(ours, { error: "ref.jsonl: line 1 is not JSON" });
  assert.equal(bad.reference, undefined);
  assert.equal(bad.fisher, undefined);
  assert.match(bad.referenceError!, /not JSON/);
});

Deno.test("largest hidden weights: Hodges–Lehmann shift of log10, ours − reference", () => {
  const ref = parseReference(
    [line(1, { maxAbsW0: 10 }), line(2, { maxAbsW0: 20 }), line(3, { maxAbsW0: 40 })].join("\n"),
    CHECK,
    DS,
  );
  // Ours ten times larger on every seed: the shift is exactly log10(10) = 1.
  const ours = [row(1, 0.3, 91, { maxAbsHidden: 100 }), row(2, 0.3, 91, { maxAbsHidden: 200 }), {
    ...row(3, 0.3, 91, { maxAbsHidden: 400 }),
  }];
  const c = checkCounts(ours, ref);
  assert.deepEqual(c.largestWeight!.ours, [100, 200, 400]);
  assert.deepEqual(c.largestWeight!.reference, [10, 20, 40]);
  assert.ok(Math.abs(c.largestWeight!.log10Shift.estimate - 1) < 1e-12);
  // A diverged run (NaN) is left out, not counted as 0.
  const withNaN = checkCounts([...ours, row(3, 0.3, 91, { maxAbsHidden: NaN })], ref);
  assert.equal(withNaN.largestWeight!.ours.length, 3);
  assert.equal(withNaN.largestWeight!.dropped, 1);
  assert.match(largestWeightLine("Check", withNaN.largestWeight!), /1 without weights left out/);
  const text = largestWeightLine("Check", c.largestWeight!);
  assert.match(text, /ours median 200 \(largest 400, 3 runs\)/);
  assert.match(text, /the reference median 20 \(largest 40, 3 runs\)/);
  assert.match(text, /interval 2\.50–40\.00; a shift\)/);
  assert.match(text, /shift of log10 \(ours − reference\) 1\.00/);
  assert.match(text, /a factor of 10\.00/);
  // Identical sides: no shift, and the interval holds 0.
  const same = checkCounts(
    [10, 20, 40].map((w, i) => row(i + 1, 0.3, 91, { maxAbsHidden: w })),
    ref,
  );
  assert.equal(same.largestWeight!.log10Shift.estimate, 0);
  assert.match(largestWeightLine("Check", same.largestWeight!), /no detectable shift/);
  // No reference, no comparison.
  assert.equal(checkCounts(ours, { error: "x" }).largestWeight, undefined);
  // Nothing on our side: said, not NaN.
  const none = largestWeightLine("Check", { ...c.largestWeight!, ours: [] });
  assert.match(none, /ours no runs/);
});

Deno.test("maxAbs: the largest |weight|, NaN without weights", () => {
  assert.equal(maxAbs(new Float32Array([0.5, -3, 2])), 3);
  assert.ok(Number.isNaN(maxAbs(undefined)));
  assert.ok(Number.isNaN(maxAbs(new Float32Array(0))));
  assert.equal(maxAbs(new Float32Array([-1e30])), Math.fround(1e30));
});

Deno.test("quoted collapse facts: only the authors' count, labelled as quoted", () => {
  const lines = quotedCollapseLines();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^Measured in an earlier session \(quoted\): the authors' code: 1 of 3/);
});

Deno.test("sci: significant digits without exponent notation", () => {
  assert.equal(sci(1000), "1000");
  assert.equal(sci(5749.24, 5), "5749.2");
  assert.equal(sci(1e5), "10⁵");
  assert.equal(sci(2207649), "2.21·10⁶");
  assert.equal(sci(98500), "9.85·10⁴");
  assert.equal(sci(0.00028429, 2), "0.00028");
  assert.equal(sci(NaN), "NaN");
});
