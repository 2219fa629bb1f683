import assert from "node:assert/strict";
import { spearman } from "../../lib/figures/heavy_tails/figures.ts";
import { COMPANION_PRESETS } from "../../lib/figures/heavy_tails/presets.ts";
import { PRUNING_METHODS, pruningCurves } from "../../lib/pipelines/pruning_curves.ts";
import {
  companionConfigs,
  type CompanionPreset,
  companionSweep,
} from "../../lib/pipelines/companion_sweep.ts";
import { ResultStore } from "../../lib/store/results.ts";
import { syntheticDataset } from "../../lib/data/mod.ts";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { evaluateWeightSets } from "../../lib/prune/evaluate.ts";
import { parseTrainConfig } from "../../lib/train/config.ts";
import { fcnSpecFor } from "../../lib/train/model_for.ts";
import { train } from "../../lib/train/trainer.ts";

Deno.test("spearman: monotone, reversed, ties and constant inputs", () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 45]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 0.9486832980505138) < 1e-12);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
});

Deno.test("companion presets expand to the (seed, model, batch, lr) grid with the loss stop rule", () => {
  for (const [name, p] of Object.entries(COMPANION_PRESETS)) {
    const cs = companionConfigs(p);
    const seeds = p.seeds ?? [0];
    assert.equal(cs.length, seeds.length * p.models.length * p.batches.length * p.lrs.length, name);
    assert.deepEqual([...new Set(cs.map((c) => c.config.seed))], seeds, name);
    for (const { config } of cs) {
      assert.equal(config.stopRule, "loss");
      assert.equal(config.noise.type, 0);
      assert.equal(config.averageSteps, p.averageSteps);
    }
  }
  assert.equal(COMPANION_PRESETS.paper.models[0].width, 2048);
  assert.equal(COMPANION_PRESETS.paper.lossThreshold, 5e-5);
});

Deno.test("pruning curves at ratio 0 keep the trained accuracy; larger ratios prune more", async () => {
  const gpu = await Gpu.shared();
  const data = syntheticDataset({ seed: 2, inputDim: 12, numClasses: 3, nTrain: 90, nTest: 30 });
  const config = parseTrainConfig({
    dataset: "synthetic",
    width: 16,
    depth: 3,
    lr: 0.1,
    batchSize: 30,
    evalEvery: 10,
    maxSteps: 30,
    convergenceAccuracy: 100,
    noise: { type: 0, alpha: 2, sigma: 0 },
    seed: 3,
  });
  const res = await train(gpu, config, data);
  const spec = fcnSpecFor(config, data);
  const [base] = await evaluateWeightSets(gpu, spec, [res.weights], data, 30);
  const ratios = { magnitude: [0, 0.5], node: [0, 0.5], spectral: [0, 0.5] };
  const points = await pruningCurves(gpu, spec, res.weights, data, ratios, 30);
  assert.equal(points.length, 8);
  for (const method of PRUNING_METHODS) {
    const [r0, r5] = points.filter((p) => p.method === method);
    // Ratio 0 changes nothing but the SVD's float rounding.
    assert.ok(Math.abs(r0.testAcc - base.test.accuracy) < 1e-9 || method === "spectral", method);
    assert.ok(
      Math.abs(r0.testLoss - base.test.loss) < 1e-3,
      `${method}: ${r0.testLoss} vs ${base.test.loss}`,
    );
    assert.ok(r5.prunedParameterRatio > r0.prunedParameterRatio, method);
  }
});

Deno.test("a cached analysis is served with the model name of the current presets", async () => {
  const gpu = await Gpu.shared();
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    const preset = (name: string): CompanionPreset => ({
      dataset: "synthetic",
      limitTrain: 90,
      limitTest: 30,
      models: [{ name, depth: 3, width: 8 }],
      lrs: [0.1],
      batches: [30],
      lossThreshold: 10,
      extraSteps: 2,
      averageSteps: 1,
      evalEvery: 5,
      maxSteps: 20,
      ratios: { magnitude: [0, 0.5], node: [0], spectral: [0] },
    });
    const [first] = await companionSweep(gpu, store, preset("FCN3"));
    assert.equal(first.model, "FCN3");
    const lines: string[] = [];
    // The name is a label of the presets, not part of any key: renaming it recomputes nothing,
    // and the point carries the new name (the analysis record used to store, and serve, the old).
    const [again] = await companionSweep(gpu, store, preset("FCN3-renamed"), {
      log: (l) => lines.push(l),
    });
    assert.ok(lines.some((l) => / cached /.test(l)), lines.join("\n"));
    assert.equal(again.model, "FCN3-renamed");
    assert.deepEqual({ ...again, model: "FCN3" }, first);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
