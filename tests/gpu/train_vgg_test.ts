import { gpuSgdStep } from "../helpers.ts";
import assert from "node:assert/strict";
import { type Dataset, syntheticDataset } from "../../lib/data/mod.ts";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { injectNoiseRef } from "../../lib/reference/noise_inject.ts";
import { parseTrainConfig, type TrainConfig } from "../../lib/train/config.ts";
import { HaltedError, train } from "../../lib/train/trainer.ts";
import {
  initModel,
  noiseTargets,
  parameterCountOf,
  prunableLayers,
} from "../../lib/model/model.ts";
import {
  initVggWeights,
  vgg11Plan,
  vggGeometry,
  vggShapes,
  type VggSpec,
} from "../../lib/model/vgg.ts";
import { pruneWeightRows, pruningRatio } from "../../lib/prune/columns.ts";
import { VggOnGpu } from "../../lib/model/vgg_gpu.ts";
import { vggStepReference } from "../../lib/reference/vgg_step.ts";

const wide: VggSpec = {
  kind: "vgg",
  inputShape: [3, 32, 32],
  plan: vgg11Plan(128),
  numClasses: 10,
};

Deno.test("vgg11_wide: the authors' layer sizes and 36,877,696 weights (docs/papers.md §A.2)", () => {
  const shapes = vggShapes(wide);
  assert.deepEqual(
    shapes.map((s) => s.out * s.in),
    [3456, 294912, 1179648, 2359296, 4718592, 9437184, 9437184, 9437184, 10240],
  );
  assert.equal(parameterCountOf(wide), 36_877_696);
  const g = vggGeometry(wide);
  assert.deepEqual(g.convs.map((c) => c.h), [32, 16, 8, 8, 4, 4, 2, 2]);
  assert.deepEqual(g.convs.map((c) => c.pool), [true, true, false, true, false, true, false, true]);
  assert.equal(g.features, 1024);
});

Deno.test("vgg specs that cannot work are refused with the reason", () => {
  const bad = (plan: (number | "M")[], inputShape: [number, number, number], re: RegExp) =>
    assert.throws(() => vggGeometry({ kind: "vgg", inputShape, plan, numClasses: 10 }), re);
  bad(["M", 4], [1, 4, 4], /must follow a convolution/);
  bad([4, "M", "M"], [1, 4, 4], /must follow a convolution/);
  bad(vgg11Plan(2), [1, 28, 28], /plan\[12\] pools a 1×1 map: a 1×28×28 input is too small/);
  bad([2, "M"], [1, 4, 4], /a 1×4×4 input leaves 2×2 maps after the pools; .* expects 1×1/);
  bad([4, 0, "M"], [1, 2, 2], /plan\[1\] = 0/);
  bad([], [1, 1, 1], /no convolution/);
  assert.throws(() => vgg11Plan(0), /width 0/);
});

Deno.test("vgg init: He-normal convs N(0, 2/(9·out)), uniform classifier, keyed by seed", () => {
  const spec: VggSpec = {
    kind: "vgg",
    inputShape: [3, 32, 32],
    plan: vgg11Plan(8),
    numClasses: 10,
  };
  const w = initVggWeights(spec, 3);
  const shapes = vggShapes(spec);
  for (const l of [3, 5, 7]) {
    const std = Math.sqrt(2 / (9 * shapes[l].out));
    const mean = w[l].reduce((a, b) => a + b, 0) / w[l].length;
    const sd = Math.sqrt(w[l].reduce((a, b) => a + (b - mean) ** 2, 0) / w[l].length);
    assert.ok(Math.abs(sd / std - 1) < 0.03, `layer ${l}: sd ${sd} vs ${std}`);
    assert.ok(Math.abs(mean) < 4 * std / Math.sqrt(w[l].length), `layer ${l}: mean ${mean}`);
  }
  const fc = w[w.length - 1];
  const bound = 1 / Math.sqrt(shapes[shapes.length - 1].in);
  assert.ok(fc.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...fc.map(Math.abs)) > 0.9 * bound);
  assert.deepEqual(initModel(spec, 3), w);
  assert.notDeepEqual(initVggWeights(spec, 4)[2], w[2]);
});

/** Small specs with odd channel counts, odd maps (floor pooling) and a conv after the last pool. */
const tinySpecs: { spec: VggSpec; rows: number }[] = [
  {
    spec: { kind: "vgg", inputShape: [3, 6, 6], plan: [3, "M", 5, "M", 4], numClasses: 3 },
    rows: 4,
  },
  {
    spec: { kind: "vgg", inputShape: [1, 4, 4], plan: [2, 2, "M", 3, "M"], numClasses: 2 },
    rows: 1,
  },
  {
    spec: { kind: "vgg", inputShape: [2, 8, 9], plan: [4, "M", 3, "M", 5, "M"], numClasses: 5 },
    rows: 7,
  },
];

Deno.test("one GPU VGG forward/backward/SGD step equals the direct-loop CPU reference", async () => {
  const gpu = await Gpu.shared();
  for (const { spec, rows } of tinySpecs) {
    const [c, h, w] = spec.inputShape;
    const weights = initVggWeights(spec, 7);
    const x = new Float32Array(rows * c * h * w).map((_, i) => Math.sin(i * 0.77) * 1.5);
    const y = new Uint32Array(rows).map((_, i) => (i * 5 + 1) % spec.numClasses);
    const net = new VggOnGpu(gpu, spec, weights, rows + 2); // a workspace larger than the batch
    const { weights: got, loss } = await gpuSgdStep(gpu, net, x, y, rows, 0.5);
    const ref = weights.map((v) => v.slice());
    const refLoss = vggStepReference(ref, spec, x, y, rows, 0.5);
    const tag = `plan ${JSON.stringify(spec.plan)} on ${spec.inputShape.join("×")}`;
    assert.ok(
      Math.abs(loss - refLoss) < 1e-5,
      `${tag}: loss ${loss} vs ${refLoss}`,
    );
    ref.forEach((r, l) => {
      let maxErr = 0;
      let moved = 0;
      for (let i = 0; i < r.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(got[l][i] - r[i]));
        moved = Math.max(moved, Math.abs(r[i] - weights[l][i]));
      }
      assert.ok(maxErr < 1e-5, `${tag} layer ${l}: max |Δw| = ${maxErr}`);
      assert.ok(moved > 1e-4, `${tag} layer ${l}: the step did not move the weights`);
    });
    net.destroy();
  }
});

Deno.test("VGG noise goes to convs 2..8 only: per filter (I, II) or per 3×3 kernel (III)", () => {
  const shapes = vggShapes(wide);
  assert.deepEqual(noiseTargets(wide, 0), []);
  for (const type of [1, 2] as const) {
    assert.deepEqual(
      noiseTargets(wide, type),
      [1, 2, 3, 4, 5, 6, 7].map((l) => ({ layer: l, rows: shapes[l].out, cols: shapes[l].in })),
    );
  }
  assert.deepEqual(
    noiseTargets(wide, 3),
    [1, 2, 3, 4, 5, 6, 7].map((l) => ({
      layer: l,
      rows: shapes[l].out * shapes[l].in / 9,
      cols: 9,
    })),
  );
  const fcn = { inputDim: 10, width: 6, depth: 3, numClasses: 4 };
  assert.deepEqual(noiseTargets(fcn, 3), [
    { layer: 0, rows: 6, cols: 10 },
    { layer: 1, rows: 6, cols: 6 },
  ]);
});

Deno.test("filter pruning: mce on filters of convs 2..L, first conv and classifier kept", () => {
  const spec: VggSpec = {
    kind: "vgg",
    inputShape: [1, 4, 4],
    plan: [2, "M", 4, "M"],
    numClasses: 3,
  };
  const shapes = vggShapes(spec); // conv0 2×9, conv1 4×18, fc 3×4
  assert.deepEqual(shapes, [{ out: 2, in: 9 }, { out: 4, in: 18 }, { out: 3, in: 4 }]);
  const prunable = prunableLayers(spec);
  assert.deepEqual(prunable, [false, true, false]);
  // Filter f of conv1 has every weight = a_f: squared norms 18·a², a = 0.1, 1, 0.2, 3.
  const a = [0.1, 1, 0.2, 3];
  const conv1 = new Float32Array(4 * 18).map((_, i) => a[Math.floor(i / 18)]);
  const conv0 = new Float32Array(18).fill(1e-3); // tiny, but never pruned
  const fc = new Float32Array(12).fill(1e-3);
  const { weights, layers } = pruneWeightRows(
    [conv0, conv1, fc],
    shapes,
    { kind: "mce", error: 0.1 },
    prunable,
  );
  // Shares of ‖W‖²: 0.01, 1, 0.04, 9 of 10.05 → prefix {f0, f2} = 0.5% ≤ 10%, adding f1 is 10.4%.
  assert.deepEqual(layers.map((l) => [l.layer, l.units, l.pruned, l.rowLength]), [[1, 4, 2, 18]]);
  assert.deepEqual(weights[0], conv0);
  assert.deepEqual(weights[2], fc);
  for (let f = 0; f < 4; f++) {
    const row = weights[1].subarray(f * 18, (f + 1) * 18);
    assert.ok(row.every((v) => v === (f === 0 || f === 2 ? 0 : Math.fround(a[f]))), `filter ${f}`);
  }
  assert.ok(Math.abs(layers[0].relativeError - Math.sqrt(0.05 / 10.05)) < 1e-6);
  assert.equal(pruningRatio(layers), 0.5);
});

/** SYNTHETIC 1×32×32 "images" (Gaussian blobs, 4 classes) for CNN trainer tests. */
function blobImages(): Dataset {
  const ds = syntheticDataset({
    seed: 9,
    inputDim: 1024,
    numClasses: 4,
    nTrain: 160,
    nTest: 80,
    separation: 1,
  });
  return { ...ds, shape: [1, 32, 32] };
}

function vggConfig(over: Partial<TrainConfig> = {}): TrainConfig {
  return parseTrainConfig({
    model: "vgg11",
    dataset: "synthetic",
    width: 4,
    depth: 9,
    lr: 0.02,
    batchSize: 40,
    evalEvery: 10,
    maxSteps: 40,
    convergenceAccuracy: 95,
    noise: { type: 0, alpha: 2, sigma: 0 },
    seed: 2,
    ...over,
  });
}

/** The weights right after step 0 (its SGD update and its noise), from a halted run. */
async function afterFirstStep(gpu: Gpu, cfg: TrainConfig, data: Dataset): Promise<Float32Array[]> {
  let saved: Float32Array[] | undefined;
  const checkpoint = {
    every: 1,
    load: () => Promise.resolve(undefined),
    save: (_state: unknown, t: { weights: Float32Array[] }) => {
      saved = t.weights;
      return Promise.resolve();
    },
  };
  await assert.rejects(train(gpu, cfg, data, { checkpoint, haltAfter: 1 }), HaltedError);
  return saved!;
}

Deno.test("VGG training: noise lands on convs 2..8 exactly as injectNoiseRef draws it", async () => {
  const gpu = await Gpu.shared();
  const data = blobImages();
  const plain = await afterFirstStep(gpu, vggConfig(), data);
  const spec: VggSpec = { kind: "vgg", inputShape: [1, 32, 32], plan: vgg11Plan(4), numClasses: 4 };
  for (const type of [1, 2, 3] as const) {
    const noise = { type, alpha: 1.7, sigma: 0.3 };
    const cfg = vggConfig({ noise });
    const noisy = await afterFirstStep(gpu, cfg, data);
    assert.deepEqual(noisy[0], plain[0], `type ${type}: the first conv got noise`);
    assert.deepEqual(noisy[8], plain[8], `type ${type}: the classifier got noise`);
    for (const t of noiseTargets(spec, type)) {
      const ref = plain[t.layer].slice();
      injectNoiseRef(ref, t.rows, t.cols, {
        spec: noise,
        lr: cfg.lr,
        seed: cfg.seed,
        layer: t.layer,
        step: 0,
      });
      let maxErr = 0;
      let maxNoise = 0;
      for (let i = 0; i < ref.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(noisy[t.layer][i] - ref[i]));
        maxNoise = Math.max(maxNoise, Math.abs(ref[i] - plain[t.layer][i]));
      }
      assert.ok(maxNoise > 1e-3, `type ${type} layer ${t.layer}: no noise drawn`);
      assert.ok(maxErr <= 1e-5 * (1 + maxNoise), `type ${type} layer ${t.layer}: |Δ| ${maxErr}`);
    }
  }
});

Deno.test("a tiny VGG11 learns SYNTHETIC images; the same seed gives bit-identical weights", async () => {
  const gpu = await Gpu.shared();
  const data = blobImages();
  const a = await train(gpu, vggConfig(), data);
  // Chance is 25%; measured on llvmpipe: 70.6% train, 62.5% test after 40 steps.
  assert.ok(a.final.trainAcc >= 55, `train accuracy ${a.final.trainAcc}% after ${a.steps} steps`);
  assert.ok(a.final.testAcc >= 45, `test accuracy ${a.final.testAcc}%`);
  assert.ok(
    a.final.trainLoss < a.history[0].trainLoss - 0.05,
    `loss ${a.history.map((h) => h.trainLoss)}`,
  );
  const cfg = vggConfig({ noise: { type: 1, alpha: 1.8, sigma: 0.05 }, maxSteps: 12 });
  const b = await train(gpu, cfg, data);
  const c = await train(gpu, cfg, data);
  assert.deepEqual(b.weights, c.weights);
  const d = await train(gpu, { ...cfg, seed: 3 }, data);
  assert.notDeepEqual(d.weights[3], b.weights[3]);
});
