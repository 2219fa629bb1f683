import { assertBits, gpuSgdStep } from "../helpers.ts";
import { forceGemmVariant } from "../../lib/ops/gemm.ts";
import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { syntheticDataset } from "../../lib/data/mod.ts";
import { initWeights, layerShapes } from "../../lib/model/fcn.ts";
import { ResultStore } from "../../lib/store/results.ts";
import { parseTrainConfig, type TrainConfig } from "../../lib/train/config.ts";
import { FcnOnGpu } from "../../lib/model/fcn_gpu.ts";
import { sgdStepReference } from "../../lib/reference/fcn_step.ts";
import { HaltedError, train } from "../../lib/train/trainer.ts";
import { trainOrLoad } from "../../lib/train/run.ts";
import { DeviceSplit, epochPermutation } from "../../lib/model/device_split.ts";
import { evaluate } from "../../lib/model/evaluate.ts";
import { injectNoiseRef } from "../../lib/reference/noise_inject.ts";
import { evaluateWeightSets } from "../../lib/prune/evaluate.ts";

const data = syntheticDataset({
  seed: 3,
  inputDim: 24,
  numClasses: 4,
  nTrain: 300,
  nTest: 100,
  separation: 1.5,
});

function config(over: Partial<TrainConfig> = {}): TrainConfig {
  return parseTrainConfig({
    dataset: "synthetic",
    width: 48,
    depth: 2,
    lr: 0.1,
    batchSize: 64,
    evalEvery: 10,
    maxSteps: 40,
    convergenceAccuracy: 100,
    noise: { type: 1, alpha: 1.75, sigma: 0.5 },
    seed: 5,
    ...over,
  });
}

Deno.test("one GPU forward/backward/SGD step equals the TypeScript reference step", async () => {
  const gpu = await Gpu.shared();
  for (const [depth, width, rows] of [[2, 7, 5], [3, 33, 17], [4, 16, 1]]) {
    const spec = { inputDim: 13, width, depth, numClasses: 3 };
    const shapes = layerShapes(spec);
    const weights = initWeights(spec, 11);
    const x = new Float32Array(rows * 13).map((_, i) => Math.sin(i * 1.3) * 2);
    const y = new Uint32Array(rows).map((_, i) => (i * 7) % 3);
    const net = new FcnOnGpu(gpu, spec, weights, rows);
    const { weights: got, loss } = await gpuSgdStep(gpu, net, x, y, rows, 0.5);
    const ref = weights.map((w) => w.slice());
    const refLoss = sgdStepReference(ref, shapes, x, y, rows, 0.5);
    assert.ok(Math.abs(loss - refLoss) < 1e-5, `loss ${loss} vs ${refLoss}`);
    for (let l = 0; l < depth; l++) {
      let maxErr = 0;
      for (let i = 0; i < ref[l].length; i++) {
        maxErr = Math.max(maxErr, Math.abs(got[l][i] - ref[l][i]));
      }
      assert.ok(maxErr < 1e-5, `depth ${depth} layer ${l}: max |Δw| = ${maxErr}`);
      // The step moved the weights: the comparison is not trivially between initial values.
      assert.notDeepEqual(ref[l], weights[l]);
    }
    net.destroy();
  }
});

Deno.test("the fused step (ReLU in the GEMM epilogue) is bit-identical to the unfused one", async () => {
  const gpu = await Gpu.shared();
  // The chosen variants and naive: the epilogue's max(0, ·) is the separate relu of the same value.
  try {
    for (const variant of [undefined, "naive"] as const) {
      forceGemmVariant(variant);
      for (const [depth, width, rows] of [[2, 7, 5], [3, 33, 17], [2, 64, 1]]) {
        const spec = { inputDim: 13, width, depth, numClasses: 3 };
        const weights = initWeights(spec, 12);
        const x = new Float32Array(rows * 13).map((_, i) => Math.sin(i * 0.7) * 3);
        const y = new Uint32Array(rows).map((_, i) => (i * 5) % 3);
        const results = [];
        for (const fused of [true, false]) {
          const net = new FcnOnGpu(gpu, spec, weights, rows, fused);
          results.push(await gpuSgdStep(gpu, net, x, y, rows, 0.5));
          net.destroy();
        }
        const [a, b] = results;
        assert.equal(a.loss, b.loss, `${variant} depth ${depth}: loss`);
        a.weights.forEach((w, l) =>
          assertBits(w, b.weights[l], `${variant} depth ${depth} layer ${l}`)
        );
      }
    }
  } finally {
    forceGemmVariant(undefined);
  }
});

Deno.test("evaluate gives the same result on a resident and a streamed split, in several chunks", async () => {
  const gpu = await Gpu.shared();
  const spec = { inputDim: 24, width: 16, depth: 2, numClasses: 4 };
  const net = new FcnOnGpu(gpu, spec, initWeights(spec, 4), 8); // 300 rows: 38 chunks
  const host = { x: data.train.x, y: data.train.y, n: data.train.n };
  const resident = new DeviceSplit(gpu, host, spec.inputDim, 8);
  // The same device with a binding limit just below the split: the split streams from the host.
  const small = { ...gpu.limits, maxStorageBufferBindingSize: host.n * spec.inputDim * 4 - 4 };
  const streamedGpu = Object.create(gpu, { limits: { value: small } }) as Gpu;
  const streamed = new DeviceSplit(streamedGpu, host, spec.inputDim, 8);
  assert.ok(resident.resident && !streamed.resident);
  const a = await evaluate(gpu, net, resident);
  const b = await evaluate(gpu, net, streamed);
  assert.deepEqual(a, b);
  assert.ok(Number.isFinite(a.loss) && a.accuracy >= 0 && a.accuracy <= 100);
  for (const x of [resident, streamed, net]) x.destroy();
});

Deno.test("epoch permutations are permutations, seeded, and differ across epochs", () => {
  const p0 = epochPermutation(1000, 1, 0);
  assert.deepEqual([...p0].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(p0, epochPermutation(1000, 1, 0));
  assert.notDeepEqual(p0, epochPermutation(1000, 1, 1));
  assert.notDeepEqual(p0, epochPermutation(1000, 2, 0));
});

Deno.test("a tiny net learns a synthetic task with plain SGD", async () => {
  const gpu = await Gpu.shared();
  const cfg = config({
    noise: { type: 0, alpha: 2, sigma: 0 },
    maxSteps: 400,
    convergenceAccuracy: 95,
  });
  const res = await train(gpu, cfg, data);
  assert.equal(
    res.stopReason,
    "converged",
    `stopped at ${res.final.trainAcc}% after ${res.steps} steps`,
  );
  assert.ok(res.final.trainAcc >= 95);
  assert.ok(res.final.testAcc > 80, `test accuracy ${res.final.testAcc}`);
  assert.ok(res.history[0].trainLoss > res.final.trainLoss);
});

Deno.test("two runs with the same seed give bit-identical weights; another seed does not", async () => {
  const gpu = await Gpu.shared();
  for (const type of [1, 2, 3] as const) {
    const cfg = config({ noise: { type, alpha: 1.6, sigma: 0.5 }, maxSteps: 25 });
    const a = await train(gpu, cfg, data);
    const b = await train(gpu, cfg, data);
    assert.deepEqual(a.weights, b.weights);
    const c = await train(gpu, { ...cfg, seed: 6 }, data);
    assert.notDeepEqual(a.weights[0], c.weights[0]);
  }
});

Deno.test("noise changes the trajectory and the converging step gets no noise", async () => {
  const gpu = await Gpu.shared();
  const noisy = await train(gpu, config({ maxSteps: 21 }), data);
  const plain = await train(
    gpu,
    config({ maxSteps: 21, noise: { type: 0, alpha: 2, sigma: 0 } }),
    data,
  );
  assert.notDeepEqual(noisy.weights[0], plain.weights[0]);
  // The output layer never gets noise, but it differs through the hidden layer's trajectory.
  assert.equal(noisy.steps, 21);

  // A noisy run that converges returns the iterate it evaluated: post-step, pre-noise.
  const noise = { type: 1 as const, alpha: 1.75, sigma: 0.05 };
  const cfg = config({ noise, maxSteps: 400, convergenceAccuracy: 95 });
  const done = await train(gpu, cfg, data);
  assert.equal(done.stopReason, "converged", `stopped at ${done.final.trainAcc}%`);
  assert.ok(done.final.step % cfg.evalEvery === 0);
  const spec = { inputDim: data.inputDim, width: cfg.width, depth: cfg.depth, numClasses: 4 };
  const withNoise = done.weights.map((w) => w.slice());
  injectNoiseRef(withNoise[0], cfg.width, data.inputDim, {
    spec: noise,
    lr: cfg.lr,
    seed: cfg.seed,
    layer: 0,
    step: done.final.step,
  });
  const [asReturned, ifNoised] = await evaluateWeightSets(
    gpu,
    spec,
    [done.weights, withNoise],
    data,
    cfg.batchSize,
  );
  assert.equal(asReturned.train.loss, done.final.trainLoss);
  assert.equal(asReturned.test.loss, done.final.testLoss);
  assert.notEqual(ifNoised.train.loss, done.final.trainLoss, "the check could not see noise");
});

Deno.test("a killed run resumes from its checkpoint to the bit-identical result", async () => {
  const gpu = await Gpu.shared();
  const cfg = config({ maxSteps: 50 });
  const dirA = await Deno.makeTempDir();
  const dirB = await Deno.makeTempDir();
  try {
    const load = () => Promise.resolve(data);
    const whole = await trainOrLoad(gpu, new ResultStore(dirA), cfg, load, { checkpointEvery: 7 });
    const store = new ResultStore(dirB);
    await assert.rejects(
      trainOrLoad(gpu, store, cfg, load, { checkpointEvery: 7, haltAfter: 23 }),
      HaltedError,
    );
    assert.equal(await store.has(whole.key), false);
    assert.ok((await store.loadCheckpoint(whole.key)) !== undefined, "checkpoint written");
    await assert.rejects(
      trainOrLoad(gpu, store, cfg, load, { checkpointEvery: 7, haltAfter: 9 }),
      HaltedError,
    );
    const resumed = await trainOrLoad(gpu, store, cfg, load, { checkpointEvery: 7 });
    assert.equal(resumed.cached, false);
    assert.deepEqual(resumed.weights, whole.weights);
    assert.deepEqual(resumed.metrics.history, whole.metrics.history);
    assert.equal(await store.loadCheckpoint(whole.key), undefined, "checkpoint removed when done");
    const again = await trainOrLoad(gpu, store, cfg, load);
    assert.equal(again.cached, true);
    assert.deepEqual(again.weights, whole.weights);
  } finally {
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  }
});

Deno.test("a diverging run stops with a clear message and is recorded as diverged", async () => {
  const gpu = await Gpu.shared();
  const dir = await Deno.makeTempDir();
  try {
    const cfg = config({ lr: 1e6, noise: { type: 0, alpha: 2, sigma: 0 }, maxSteps: 30 });
    const lines: string[] = [];
    const out = await trainOrLoad(gpu, new ResultStore(dir), cfg, () => Promise.resolve(data), {
      log: (l) => lines.push(l),
    });
    assert.equal(out.metrics.stopReason, "diverged");
    assert.match(lines.join("\n"), /diverged at step \d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config validation names the bad field", () => {
  assert.throws(() => config({ lr: -1 }), /lr/);
  assert.throws(() => config({ noise: { type: 1, alpha: 2.5, sigma: 0 } }), /noise\.alpha/);
  assert.throws(() => config({ noise: { type: 3, alpha: 2, sigma: 0.1 } }), /noise\.alpha/);
  assert.throws(() => parseTrainConfig({ ...config(), extra: 1 }), /extra|Unrecognized/);
});

const easy = syntheticDataset({
  seed: 4,
  inputDim: 16,
  numClasses: 3,
  nTrain: 120,
  nTest: 60,
  separation: 4,
});

Deno.test("the loss stop rule trains extraSteps more and averages the last iterates", async () => {
  const gpu = await Gpu.shared();
  const cfg = config({
    noise: { type: 0, alpha: 2, sigma: 0 },
    stopRule: "loss",
    lossThreshold: 0.05,
    extraSteps: 12,
    averageSteps: 5,
    evalEvery: 5,
    maxSteps: 600,
    batchSize: 40,
  });
  const res = await train(gpu, cfg, easy);
  assert.ok(res.convergedAt !== undefined, "reached loss < 0.05 and 100% train accuracy");
  assert.equal(res.stopReason, "converged");
  assert.equal(res.steps, res.convergedAt! + 12 + 1);
  assert.equal(res.averaged?.iterates, 6);
  // The average equals the mean of the iterates after the last 6 steps, each obtained by a run
  // that never converges (threshold 0) capped at that step.
  const iterates: Float32Array[][] = [];
  for (let t = res.steps - 6; t < res.steps; t++) {
    const capped = await train(gpu, { ...cfg, lossThreshold: 1e-30, maxSteps: t + 1 }, easy);
    iterates.push(capped.weights);
  }
  assert.deepEqual(iterates[5], res.weights);
  res.averaged!.weights.forEach((avg, l) => {
    for (let i = 0; i < avg.length; i++) {
      const mean = iterates.reduce((s, w) => s + w[l][i], 0) / 6;
      assert.ok(Math.abs(avg[i] - mean) < 1e-6, `layer ${l} [${i}]: ${avg[i]} vs ${mean}`);
    }
  });
  assert.ok(res.averaged!.train.accuracy >= 99);
});

Deno.test("a run killed while averaging resumes to the identical final and averaged iterates", async () => {
  const gpu = await Gpu.shared();
  // Never converges (threshold 0), so averaging covers the last 11 iterates before the cap.
  const cfg = config({
    noise: { type: 2, alpha: 1.8, sigma: 0.05 },
    stopRule: "loss",
    lossThreshold: 1e-30,
    averageSteps: 10,
    maxSteps: 30,
  });
  const dirA = await Deno.makeTempDir();
  const dirB = await Deno.makeTempDir();
  try {
    const load = () => Promise.resolve(data);
    const whole = await trainOrLoad(gpu, new ResultStore(dirA), cfg, load, { checkpointEvery: 4 });
    const store = new ResultStore(dirB);
    await assert.rejects(
      trainOrLoad(gpu, store, cfg, load, { checkpointEvery: 4, haltAfter: 25 }),
      HaltedError,
    );
    const resumed = await trainOrLoad(gpu, store, cfg, load, { checkpointEvery: 4 });
    assert.deepEqual(resumed.weights, whole.weights);
    assert.ok(whole.averagedWeights && whole.averagedWeights.length === 2);
    assert.deepEqual(resumed.averagedWeights, whole.averagedWeights);
    assert.deepEqual(resumed.metrics.averaged, whole.metrics.averaged);
    assert.equal(whole.metrics.averaged?.iterates, 11);
    const cached = await trainOrLoad(gpu, store, cfg, load);
    assert.deepEqual(cached.averagedWeights, whole.averagedWeights);
  } finally {
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  }
});
