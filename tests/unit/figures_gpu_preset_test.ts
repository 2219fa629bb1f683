/** The gpu figure preset (issue #16) and its llvmpipe rehearsal twin. */
import assert from "node:assert/strict";
import { presetByName } from "../../lib/figures/common/presets.ts";
import {
  alphaSweepRuns,
  uniqueRuns,
  widthSweepRuns,
} from "../../lib/figures/common/figure_runs.ts";

Deno.test("gpu preset: Fashion-MNIST (never called MNIST) at the paper's settings, n up to 10,000", () => {
  const p = presetByName("gpu");
  assert.equal(p.datasets.length, 1);
  const ds = p.datasets[0];
  assert.equal(ds.base.dataset, "fashion-mnist");
  assert.match(ds.label, /^Fashion-MNIST/);
  assert.match(ds.label, /not MNIST/);
  assert.deepEqual(ds.widths, [1000, 2000, 5000, 10000]);
  assert.equal(ds.base.lr, 0.01);
  assert.equal(ds.base.batchSize, 5000);
  assert.equal(ds.base.evalEvery, 100);
  assert.equal(ds.sigma, 0.003);
  assert.equal(ds.refAlpha, 1.75);
  assert.deepEqual(ds.alphas, [1.5, 1.75, 1.9]);
  assert.deepEqual(ds.types, [1, 2, 3]);
  assert.ok(p.seeds.length >= 2);
  // The note states the assumption behind the time estimate and what was cut.
  assert.match(ds.note, /ASSUMED/);
  assert.match(ds.note, /20 TFLOP\/s/);
  assert.match(ds.note, /CUT/);
  // One seed: 16 width-sweep runs + 6 more α-sweep runs (SGD and α 1.75 are shared).
  const runs = uniqueRuns([...widthSweepRuns(p, [1]), ...alphaSweepRuns(p, [1])]);
  assert.equal(runs.length, 22);
});

Deno.test("gpu-rehearsal preset: the gpu preset's grid with every size scaled down", () => {
  const gpu = presetByName("gpu");
  const r = presetByName("gpu-rehearsal");
  const [g, d] = [gpu.datasets[0], r.datasets[0]];
  assert.equal(d.base.dataset, "fashion-mnist");
  assert.deepEqual([d.types, d.alphas, d.refAlpha, d.sigma], [
    g.types,
    g.alphas,
    g.refAlpha,
    g.sigma,
  ]);
  assert.equal(d.widths.length, g.widths.length);
  assert.ok(Math.max(...d.widths) <= 64);
  assert.deepEqual(r.seeds, gpu.seeds);
  assert.ok(d.base.limitTrain! <= 2000 && d.base.maxSteps <= 40);
});
