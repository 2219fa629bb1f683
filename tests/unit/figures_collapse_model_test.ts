/**
 * The collapse model (one stable draw holding 90% of ‖W‖²_F) against a hand computation, the
 * exact binomial test, and the per-cell grouping and verdict of fig:collapse on made-up runs.
 */
import assert from "node:assert/strict";
import { binomialTwoSided, predictCollapse } from "../../lib/figures/common/collapse_model.ts";
import { collapseCells, collapseVerdict } from "../../lib/figures/implicit/fig_collapse.ts";
import type { RunRow } from "../../lib/figures/common/figure_runs.ts";
import { PRESETS } from "../../lib/figures/common/presets.ts";

const close = (a: number, b: number, rel: number) =>
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} is not within ${rel} of ${b}`);

Deno.test("Type II at n = 512 (the earlier session's setting): ≈ 13% per run, as 5 of 40", () => {
  const m = { type: 2 as const, alpha: 1.75, sigma: 0.003, lr: 0.1, inputs: 784, steps: 250 };
  const p = predictCollapse({ ...m, width: 512 });
  const s = 0.003 * 0.1 ** (1 / 1.75);
  close(p.scale, s, 1e-12);
  close(p.weightNorm, Math.sqrt(512 / 3), 1e-12);
  close(p.threshold, 3 * Math.sqrt(512 / 3) / s, 1e-12); // ≈ 4.9·10⁴
  // Leading tail term C_α·x^(−α), C_α = 2Γ(α)sin(πα/2)/π = 0.22391 at α = 1.75.
  close(p.perDraw, 0.22390554162442158 * p.threshold ** -1.75, 1e-3);
  assert.equal(p.draws, 512 * 784 * 250);
  close(p.perRun, 1 - Math.exp(-p.draws * p.perDraw), 1e-6);
  assert.ok(p.perRun > 0.1 && p.perRun < 0.16, `${p.perRun}`);
  // Wider: more draws, a higher threshold; the rate grows like n^(1 − α/2).
  const wide = predictCollapse({ ...m, width: 2048 });
  assert.ok(wide.perRun > p.perRun);
  // Type I: one scalar per unit, the jump spread over d weights; Type III: A > 9‖W‖²/(s²d).
  const t1 = predictCollapse({ ...m, type: 1, width: 512 });
  close(t1.threshold, p.threshold / Math.sqrt(784), 1e-12);
  assert.equal(t1.draws, 512 * 250);
  const t3 = predictCollapse({ ...m, type: 3, width: 512 });
  close(t3.threshold, p.threshold ** 2 / 784, 1e-12);
  // No steps, no collapse; bad inputs are refused.
  assert.equal(predictCollapse({ ...m, width: 512, steps: 0 }).perRun, 0);
  assert.throws(() => predictCollapse({ ...m, width: 512, alpha: 2 }), RangeError);
  assert.throws(() => predictCollapse({ ...m, width: 0 }), RangeError);
});

Deno.test("exact binomial test: two-sided sums, edges", () => {
  close(binomialTwoSided(0, 20, 0.1), 0.25452997802490446, 1e-10);
  close(binomialTwoSided(5, 40, 0.125), 1, 1e-12); // the most likely count
  assert.equal(binomialTwoSided(0, 0, 0.3), 1);
  assert.equal(binomialTwoSided(0, 10, 0), 1);
  assert.ok(binomialTwoSided(3, 10, 0) < 1e-12);
  assert.throws(() => binomialTwoSided(4, 3, 0.5), RangeError);
});

Deno.test("fig:collapse cells: per (width, type, α), SGD left out; verdict needs ≥ 5 runs", () => {
  const ds = { ...PRESETS.cpu.datasets[0] };
  const run = (width: number, method: string, seed: number, collapsed: boolean): RunRow =>
    ({
      dataset: ds.id,
      datasetLabel: ds.label,
      width,
      method,
      alpha: method === "SGD" ? null : 1.75,
      sigma: method === "SGD" ? null : 0.003,
      seed,
      steps: 250,
      stopReason: "converged",
      trainAcc: 95,
      testAcc: 94,
      pruningRatio: collapsed ? 0.95 : 0.3,
      prunedTrainAcc: collapsed ? 20 : 93,
      prunedTestAcc: collapsed ? 20 : 93,
      maxAbsHidden: collapsed ? 1000 : 10,
      curve: [],
      runKey: "k",
      cached: true,
    }) as RunRow;
  const rows = [
    ...[1, 2, 3, 4, 5, 6, 7, 8].map((s) => run(512, "Type II", s, s === 4)),
    ...[1, 2, 3].map((s) => run(1024, "Type II", s, false)),
    ...[1, 2].map((s) => run(512, "SGD", s, false)),
  ];
  const cells = collapseCells(rows, [ds], new Map([[ds.id, 784]]));
  assert.equal(cells.length, 2);
  const at512 = cells.find((c) => c.width === 512)!;
  assert.deepEqual([at512.runs, at512.collapsed, at512.type], [8, 1, 2]);
  close(
    at512.predicted,
    predictCollapse({
      type: 2,
      alpha: 1.75,
      sigma: 0.003,
      lr: 0.1,
      width: 512,
      inputs: 784,
      steps: 250,
    }).perRun,
    1e-12,
  );
  const v = collapseVerdict(cells, []);
  assert.equal(v.outcome, "inconclusive", "3 runs at n = 1024 decide nothing");
  assert.match(v.evidence[0], /1 of 8 observed, 13\.\d% predicted \(binomial p = /);
  assert.equal(collapseVerdict([at512], []).outcome, "reproduced");
  const tooMany = { ...at512, collapsed: 7 };
  assert.equal(collapseVerdict([tooMany], []).outcome, "not reproduced");
});
