import assert from "node:assert/strict";
import { median } from "../../lib/analysis/median.ts";
import { Gpu } from "../../lib/gpu/runtime.ts";
import {
  adaptiveCount,
  fastMedian,
  floorRatio,
  prunedLayerSet,
  type WeightLayer,
} from "../../lib/compress/layers.ts";
import { magnitudePrune, prunableFraction } from "../../lib/compress/magnitude.ts";
import {
  centredColumnNorms,
  nodePrune,
  nodePruneCount,
  rowMedians,
} from "../../lib/compress/node.ts";
import { gaussianPrunableFraction } from "../../lib/compress/gaussian_limit.ts";
import {
  droppedEnergy,
  keptSingularValues,
  layerSvd,
  spectralParameters,
  spectralPrune,
  spectralReconstruct,
} from "../../lib/compress/spectral.ts";
import { sampleSynthetic, sampleSyntheticCpu, synthAlphas } from "../../lib/compress/synthetic.ts";
import { authorsOrientation, layerTailReport, transposeLayer } from "../../lib/compress/tail.ts";
import { drawAt, unitFloat } from "../../lib/rng/philox.ts";
import { runDeno } from "../helpers.ts";

const layer = (rows: number, cols: number, values: number[]): WeightLayer => ({
  data: Float32Array.from(values),
  rows,
  cols,
});
const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`);

function randomLayer(rows: number, cols: number, seed: number, offset = 0): WeightLayer {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    data[i] = offset + 2 * unitFloat(drawAt(seed, 77, 0, i)[0]) - 1;
  }
  return { data, rows, cols };
}

// ---------------------------------------------------------------- shared helpers

Deno.test("floorRatio is ⌊r·n⌋ without float artefacts; prunedLayerSet validates", () => {
  assert.equal(floorRatio(0.29, 100), 29); // 0.29·100 = 28.999999999999996
  assert.equal(floorRatio(0.3, 10), 3);
  assert.equal(floorRatio(0.55, 7), 3);
  assert.equal(floorRatio(1, 7), 7);
  assert.equal(floorRatio(0, 7), 0);
  assert.deepEqual(prunedLayerSet(3), [0, 1, 2]);
  assert.deepEqual(prunedLayerSet(3, [2, 0, 2]), [0, 2]);
  assert.throws(() => prunedLayerSet(3, [3]), /not a layer index/);
});

Deno.test("fastMedian equals the sorting median (odd, even, ties)", () => {
  assert.equal(fastMedian([3, 1, 2]), 2);
  assert.equal(fastMedian([4, 1, 3, 2]), 2.5);
  assert.equal(fastMedian([2, 2, 2, 2]), 2);
  assert.ok(Number.isNaN(fastMedian([])));
  for (let t = 0; t < 30; t++) {
    const n = 1 + (t * 37) % 101;
    const x = Array.from(
      { length: n },
      (_, i) => Math.floor(10 * unitFloat(drawAt(t, 5, 0, i)[0])),
    );
    assert.equal(fastMedian(x), median(x), `n = ${n}`);
  }
});

Deno.test("adaptive count: prefix within ε² of the energy (≤); zero vector; ε = 0, 1", () => {
  const sq = Float64Array.from([0, 0.25, 4, 9, 81]); // total 94.25
  assert.equal(adaptiveCount(sq, 0.1), 2); // budget 0.9425: 0 + 0.25 fits, + 4 does not
  assert.equal(adaptiveCount(sq, 0.25), 3); // budget 5.89: 4.25 fits, 13.25 does not
  assert.equal(adaptiveCount(sq, Math.sqrt(4.25 / 94.25)), 3); // residual exactly ε is allowed
  assert.equal(adaptiveCount(sq, 0), 1); // only the exact zero
  assert.equal(adaptiveCount(sq, 1), 5);
  assert.equal(adaptiveCount(new Float64Array(4), 0.1), 4);
});

// ---------------------------------------------------------------- magnitude pruning

// A: median 1, centred [0, −3, 2, −0.5, 9]; B: median 2, centred [2, −3, 0, 0].
const A = () => layer(1, 5, [1, -2, 3, 0.5, 10]);
const B = () => layer(2, 2, [4, -1, 2, 2]);

Deno.test("magnitude, local non-adaptive: ⌊r·n⌋ smallest centred entries per layer", () => {
  const a = A();
  const res = magnitudePrune([a, B()], { rule: { kind: "ratio", ratio: 0.4 } });
  // A prunes ⌊2⌋ (centred 0 and −0.5), B prunes ⌊1.6⌋ = 1 of the tied zeros (the first).
  assert.deepEqual([...res.weights[0]], [0, -2, 3, 0, 10]);
  assert.deepEqual([...res.weights[1]], [4, -1, 0, 2]);
  assert.deepEqual(res.layers.map((l) => l.pruned), [2, 1]);
  assert.deepEqual(res.layers.map((l) => l.centre), [1, 2]);
  assert.equal(res.totalParameters, 9);
  assert.equal(res.remainingParameters, 6);
  close(res.prunedParameterRatio, 1 / 3);
  close(res.layers[0].relativeError, Math.sqrt(0.25 / 94.25));
  // ‖W − W'‖/‖W‖ in weight space: entries 1 and 0.5 became 0.
  close(res.layers[0].weightRelativeError, Math.sqrt(1.25 / 114.25), 1e-7);
  assert.deepEqual([...a.data], [1, -2, 3, 0.5, 10], "input untouched");
});

Deno.test("magnitude: prunedValue 'centre' = the layer median (0 in centred coordinates)", () => {
  const res = magnitudePrune([A(), B()], {
    rule: { kind: "ratio", ratio: 0.4 },
    prunedValue: "centre",
  });
  assert.deepEqual([...res.weights[0]], [1, -2, 3, 1, 10]);
  assert.deepEqual([...res.weights[1]], [4, -1, 2, 2]);
  close(res.prunedParameterRatio, 1 / 3);
  // Without centring the ranking is on raw |w| and the centre is 0.
  const raw = magnitudePrune([A()], { rule: { kind: "ratio", ratio: 0.4 }, centring: "none" });
  assert.deepEqual([...raw.weights[0]], [0, -2, 3, 0, 10]); // |0.5| and |1| are the smallest
});

Deno.test("magnitude, local adaptive: residual ≤ ε per layer", () => {
  const res = magnitudePrune([A()], { rule: { kind: "error", epsilon: 0.25 } });
  // Squares 0, 9, 4, 0.25, 81 (total 94.25): ε = 0.25 allows 0 + 0.25 + 4 = 4.25.
  assert.equal(res.layers[0].pruned, 3);
  assert.deepEqual([...res.weights[0]], [0, -2, 0, 0, 10]);
  close(res.relativeError, Math.sqrt(4.25 / 94.25));
  assert.ok(res.relativeError <= 0.25);
});

// C: median 2.5, centred [−1.5, −0.5, 0.5, 1.5]; D: median 10, centred [0, 0, 0, 30].
const C = () => layer(1, 4, [1, 2, 3, 4]);
const D = () => layer(2, 2, [10, 10, 10, 40]);

Deno.test("magnitude, global: one threshold over the concatenated centred layers", () => {
  const local = magnitudePrune([C(), D()], { rule: { kind: "ratio", ratio: 0.5 } });
  assert.deepEqual([...local.weights[0]], [1, 0, 0, 4]);
  assert.deepEqual([...local.weights[1]], [0, 0, 10, 40]);
  const global = magnitudePrune([C(), D()], {
    rule: { kind: "ratio", ratio: 0.5 },
    scope: "global",
  });
  // 4 smallest squares of {2.25, .25, .25, 2.25 | 0, 0, 0, 900}: the three zeros and the first .25.
  assert.deepEqual([...global.weights[0]], [1, 0, 3, 4]);
  assert.deepEqual([...global.weights[1]], [0, 0, 0, 40]);
  assert.deepEqual(global.layers.map((l) => l.pruned), [1, 3]);
  close(global.prunedParameterRatio, 0.5);
  // Adaptive, ε = 0.1: total energy 905, budget 9.05 → all but the 30 (cumulative 5).
  const ga = magnitudePrune([C(), D()], { rule: { kind: "error", epsilon: 0.1 }, scope: "global" });
  assert.deepEqual(ga.layers.map((l) => l.pruned), [4, 3]);
  close(ga.relativeError, Math.sqrt(5 / 905));
  close(ga.prunedParameterRatio, 7 / 8);
  // Locally, C alone (energy 5, budget 0.05) cannot lose anything.
  const la = magnitudePrune([C(), D()], { rule: { kind: "error", epsilon: 0.1 } });
  assert.deepEqual(la.layers.map((l) => l.pruned), [0, 3]);
});

Deno.test("magnitude: layer selection and the authors' output-layer quirk", () => {
  const only0 = magnitudePrune([C(), D()], { rule: { kind: "ratio", ratio: 0.5 }, layers: [0] });
  assert.deepEqual([...only0.weights[1]], [10, 10, 10, 40]);
  assert.equal(only0.remainingParameters, 2 + 4);
  const intent = magnitudePrune([C(), D()], { rule: { kind: "ratio", ratio: 0.5 } });
  const quirk = magnitudePrune([C(), D()], {
    rule: { kind: "ratio", ratio: 0.5 },
    authorsOutputLayerQuirk: true,
  });
  assert.equal(intent.layers[1].modified, true);
  assert.equal(quirk.layers[1].modified, false);
  assert.deepEqual([...quirk.weights[1]], [10, 10, 10, 40], "output layer untouched");
  assert.deepEqual([...quirk.weights[0]], [...intent.weights[0]]);
  assert.equal(quirk.layers[1].pruned, 2, "still counted as pruned");
  assert.equal(quirk.prunedParameterRatio, intent.prunedParameterRatio);
  assert.throws(
    () => magnitudePrune([C()], { rule: { kind: "ratio", ratio: 1.5 } }),
    /ratio/,
  );
  assert.throws(() =>
    magnitudePrune([{ data: new Float32Array(3), rows: 2, cols: 2 }], {
      rule: { kind: "ratio", ratio: 0.5 },
    }), /do not fill/);
});

// ---------------------------------------------------------------- Gaussian reference, synthetic

Deno.test("Gaussian limit of the ε = 0.1 prunable fraction is ≈ 0.2653", () => {
  const g = gaussianPrunableFraction(0.1);
  close(g, 0.265291, 1e-5); // t* = 0.338868: erf(t/√2) − 2tφ(t) = 0.01
  assert.equal(gaussianPrunableFraction(1), 1);
  assert.equal(gaussianPrunableFraction(0), 0);
  assert.ok(gaussianPrunableFraction(0.2) > g);
});

Deno.test("synthetic: Gaussian ratio ≈ 0.265 at N = 1e5; heavy tails raise W_ind, W_col", () => {
  const n = 100_000;
  const gauss = sampleSyntheticCpu(2, 0, { n, d: 100 }, 3);
  const limit = gaussianPrunableFraction(0.1);
  for (const kind of ["W_ind", "W_col", "W_lay"] as const) {
    close(prunableFraction(gauss[kind], 0.1), limit, 0.01);
    close(prunableFraction(gauss[kind], 0.1, { centring: "none" }), limit, 0.01);
  }
  const heavy = sampleSyntheticCpu(1.6, 1, { n, d: 100 }, 3);
  const ind = prunableFraction(heavy.W_ind, 0.1);
  const col = prunableFraction(heavy.W_col, 0.1);
  const lay = prunableFraction(heavy.W_lay, 0.1);
  assert.ok(ind > limit + 0.1, `W_ind ${ind}`);
  assert.ok(col > limit + 0.05, `W_col ${col}`);
  close(lay, limit, 0.01); // scale-invariant: one φ for the whole layer changes nothing
});

Deno.test("synthetic: α draws deterministic in (1.75, 2); GPU matches the CPU twin", async () => {
  const a = synthAlphas(50, 7);
  assert.deepEqual(a, synthAlphas(50, 7));
  assert.notDeepEqual(a, synthAlphas(50, 8));
  assert.ok(a.every((x) => x > 1.75 && x < 2));
  const gpu = await Gpu.shared();
  const shape = { n: 2000, d: 100 };
  const g = await sampleSynthetic(gpu, 1.8, 4, shape, 11);
  const c = sampleSyntheticCpu(1.8, 4, shape, 11);
  for (const kind of ["W_ind", "W_col", "W_lay"] as const) {
    let bad = 0;
    for (let i = 0; i < shape.n; i++) {
      const [x, y] = [g[kind][i], c[kind][i]];
      if (Math.abs(x - y) > 1e-3 * Math.max(1, Math.abs(y))) bad++;
    }
    assert.equal(bad, 0, `${kind}: ${bad} samples differ`);
  }
});

// ---------------------------------------------------------------- spectral pruning

Deno.test("spectral: k = len − ⌊len·r⌋ kept, error = dropped singular energy, accounting", () => {
  assert.equal(keptSingularValues(10, 0), 10);
  assert.equal(keptSingularValues(10, 0.25), 8);
  assert.equal(keptSingularValues(10, 0.99), 1);
  assert.equal(keptSingularValues(10, 1), 0);
  assert.equal(spectralParameters(6, 4, 4, "authors"), 40); // > 24 dense at r = 0
  assert.equal(spectralParameters(6, 4, 4, "rank"), 24);
  assert.equal(spectralParameters(6, 4, 4, "storage"), 24);
  assert.equal(spectralParameters(6, 4, 1, "rank"), 9);

  const w = randomLayer(12, 8, 1, 0.3);
  const ls = layerSvd(w); // per-column median centring
  const cols = 8;
  for (const k of [0, 1, 3, 5, 8]) {
    const rec = spectralReconstruct(ls, k);
    const recViaOriginal = spectralReconstruct(ls, k, w.data);
    let err = 0;
    let tot = 0;
    for (let i = 0; i < w.data.length; i++) {
      const c = w.data[i] - ls.centre[i % cols];
      err += (w.data[i] - rec[i]) ** 2;
      tot += c * c;
      close(rec[i], recViaOriginal[i], 1e-6);
    }
    close(Math.sqrt(err / tot), droppedEnergy(ls.svd.s, k), 1e-6);
  }
  // Column medians of the centred layer are 0 (each column minus its median).
  for (let j = 0; j < cols; j++) {
    const col = Array.from({ length: 12 }, (_, i) => w.data[i * cols + j]);
    close(ls.centre[j], median(col), 0);
  }
});

Deno.test("spectral prune: authors' accounting, orientation of the last layer, quirk", () => {
  const layers = [randomLayer(6, 5, 2), randomLayer(3, 6, 3)];
  const r0 = spectralPrune(layers, { ratio: 0 });
  // k = 5 and 3: 5·11 + 3·9 = 82 "kept" of 48 → negative pruned ratio, as the authors.
  assert.equal(r0.remainingParameters, 82);
  close(r0.prunedParameterRatio, 1 - 82 / 48);
  for (let l = 0; l < 2; l++) {
    for (let i = 0; i < layers[l].data.length; i++) {
      close(r0.weights[l][i], layers[l].data[i], 1e-6);
    }
  }
  const rank = spectralPrune(layers, { ratio: 0, accounting: "rank" });
  close(rank.prunedParameterRatio, 0);
  const half = spectralPrune(layers, { ratio: 0.5 });
  assert.deepEqual(half.layers.map((l) => l.kept), [3, 2]);
  // The last layer is centred by row medians (its transposed columns).
  const expected = spectralReconstruct(layerSvd(layers[1], { axis: "rows" }), 2);
  const got = spectralPrune(layers, { ratio: 0.5, layers: [1] }).weights[1];
  expected.forEach((v, i) => close(got[i], v, 1e-6));
  const quirk = spectralPrune(layers, { ratio: 0.5, authorsOutputLayerQuirk: true });
  assert.deepEqual([...quirk.weights[1]], [...layers[1].data]);
  assert.equal(quirk.remainingParameters, half.remainingParameters);
  assert.equal(quirk.layers[1].modified, false);
});

// ---------------------------------------------------------------- node pruning

Deno.test("node pruning: row-median centring, columns by centred norm, accounting", () => {
  // 2×4; row medians 1.5 and 0 → centred rows [−0.5, −1.5, 0.5, 4.5] and [0, 2, −2, 0].
  const w = layer(2, 4, [1, 0, 2, 6, 0, 2, -2, 0]);
  assert.deepEqual([...rowMedians(w.data, 2, 4)], [1.5, 0]);
  const norms = centredColumnNorms(w.data, 2, 4);
  close(norms[0], 0.5);
  close(norms[1], Math.sqrt(2.25 + 4));
  close(norms[2], Math.sqrt(0.25 + 4));
  close(norms[3], 4.5);
  const res = nodePrune([w], { rule: { kind: "ratio", ratio: 0.5 } });
  assert.deepEqual(res.layers[0].prunedColumns, [0, 2]);
  assert.deepEqual([...res.weights[0]], [0, 0, 0, 6, 0, 2, 0, 0]);
  assert.equal(res.layers[0].remaining, (4 - 2) * 2);
  close(res.prunedParameterRatio, 0.5);
  close(res.layers[0].relativeError, Math.sqrt((0.25 + 4.25) / (0.25 + 6.25 + 4.25 + 20.25)));
  const centre = nodePrune([w], { rule: { kind: "ratio", ratio: 0.5 }, prunedValue: "centre" });
  assert.deepEqual([...centre.weights[0]], [1.5, 0, 1.5, 6, 0, 2, 0, 0]);
});

Deno.test("node pruning, adaptive: intent (Frobenius) vs the authors' centred-norm count", () => {
  const norms = Float64Array.from([1, 2, 3, 10]); // energy 114; ε = 0.3 → budget 10.26
  assert.equal(nodePruneCount(norms, { kind: "error", epsilon: 0.3 }), 2); // 1 + 4 fits, + 9 not
  // Authors: |norms − 2.5| = 1.5, 0.5, 0.5, 7.5 → squares .25, .25, 2.25, 56.25 (59), budget 5.31.
  assert.equal(nodePruneCount(norms, { kind: "error", epsilon: 0.3 }, true), 3);
  assert.equal(nodePruneCount(norms, { kind: "ratio", ratio: 0.5 }), 2);
  const w = layer(1, 4, [1, 2, 3, 10]); // one row: median 2.5, centred norms 1.5, 0.5, 0.5, 7.5
  const res = nodePrune([w], { rule: { kind: "error", epsilon: 0.1 } });
  // Energy 59, budget 0.59: the two 0.5 columns (1 and 2) fit, 1.5 does not.
  assert.deepEqual(res.layers[0].prunedColumns, [1, 2]);
  assert.ok(res.layers[0].relativeError <= 0.1);
});

Deno.test("node pruning: layer selection, the output layer is modified, stale accounting", () => {
  const layers = [randomLayer(4, 3, 4), randomLayer(5, 4, 5), randomLayer(2, 5, 6)];
  const all = nodePrune(layers, { rule: { kind: "ratio", ratio: 0.5 } });
  assert.deepEqual(all.layers.map((l) => l.pruned), [1, 2, 2]);
  assert.notDeepEqual([...all.weights[2]], [...layers[2].data], "output layer pruned");
  assert.equal(all.remainingParameters, 2 * 4 + 2 * 5 + 3 * 2);
  const some = nodePrune(layers, { rule: { kind: "ratio", ratio: 0.5 }, layers: [0, 1] });
  assert.equal(some.remainingParameters, 8 + 10 + 10);
  // Authors: the unpruned last layer counts the stale tensor of layer 1 (20 entries).
  const stale = nodePrune(layers, {
    rule: { kind: "ratio", ratio: 0.5 },
    layers: [0, 1],
    authorsStaleAccounting: true,
  });
  assert.equal(stale.remainingParameters, 8 + 10 + 20);
  assert.throws(
    () =>
      nodePrune(layers, {
        rule: { kind: "ratio", ratio: 0.5 },
        layers: [1],
        authorsStaleAccounting: true,
      }),
    /no pruned layer before it/,
  );
});

// ---------------------------------------------------------------- tail report

Deno.test("tail report: output layer read transposed; fractions from the final weights", () => {
  const layers = [randomLayer(64, 32, 8), randomLayer(10, 64, 9)];
  const t = transposeLayer(layers[1]);
  assert.equal(t.rows, 64);
  assert.equal(t.data[3 * 10 + 2], layers[1].data[2 * 64 + 3]);
  const oriented = authorsOrientation(layers);
  assert.equal(oriented[0], layers[0]);
  assert.deepEqual([oriented[1].rows, oriented[1].cols], [64, 10]);
  const rows = layerTailReport(layers, { permutations: 1 });
  assert.deepEqual(rows.map((r) => [r.rows, r.cols, r.transposed]), [[64, 32, false], [
    64,
    10,
    true,
  ]]);
  for (const r of rows) {
    assert.ok(r.multivariate > 0 && r.multivariate <= 2);
    assert.ok(r.univariate > 0 && r.univariate <= 2);
    assert.ok(r.norms > 0 && r.norms <= 2);
    close(r.prunableFraction, prunableFraction(layers[r.index].data, 0.1), 0);
  }
  // Uniform weights have light tails: their ε = 0.1 fraction is below the Gaussian one.
  assert.ok(rows[0].prunableFraction < gaussianPrunableFraction(0.1));
  const averaged = layers.map((l) => ({ ...l, data: l.data.map((v) => 2 * v) }));
  const scaled = layerTailReport(layers, { averaged, permutations: 1 });
  close(scaled[0].multivariate, rows[0].multivariate, 1e-9); // α̂ is scale-invariant
});

// ---------------------------------------------------------------- fig:synthetic CLI

function runFig(args: string[]) {
  return runDeno(["run", "-A", "scripts/fig_synthetic.ts", ...args]);
}

Deno.test("fig:synthetic: bad flags exit 2 and write nothing; a tiny run writes all", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const bad of [
        ["--preset", "huge"],
        ["--n", "1000", "--d", "7"],
        ["--epsilon", "0"],
        ["--centring", "mean"],
        ["--bogus"],
        ["stray"],
      ]
    ) {
      const { code, stderr } = await runFig([...bad, "--out", `${dir}/out`]);
      assert.equal(code, 2, `${bad.join(" ")}: ${stderr}`);
    }
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    const { code, stderr } = await runFig([
      "--alphas",
      "3",
      "--n",
      "2000",
      "--d",
      "100",
      "--out",
      `${dir}/out`,
    ]);
    assert.equal(code, 0, stderr);
    const csv = Deno.readTextFileSync(`${dir}/out/fig_synthetic.csv`).trim().split("\n");
    assert.equal(csv.length, 1 + 9);
    assert.ok(Deno.statSync(`${dir}/out/fig_synthetic.png`).size > 1000);
    assert.match(Deno.readTextFileSync(`${dir}/out/report.md`), /section:fig_synthetic/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
