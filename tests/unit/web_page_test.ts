/**
 * The web page's logic that needs no GPU: the adapter-limits check and its words, the verdict on
 * a finished run against its counterpart (the report's wording), and the checkpoint record read
 * back from the browser's storage (validated before a run resumes from it).
 */
import assert from "node:assert/strict";
import {
  effectiveLimits,
  explainShortfalls,
  largestWidth,
  type Limits,
  parseSimulatedLimits,
  runNeeds,
  type RunShape,
  shortfalls,
} from "../../web/page/limits.ts";
import { type CommittedArm, pairFor, verdictFor, verdictParts } from "../../web/page/verdict.ts";
import { outcomeText } from "../../lib/figures/common/verdict.ts";
import { configFor, type RunSettings } from "../../web/page/run.ts";
import {
  MemoryStore,
  parseStoredCheckpoint,
  STORED_VERSION,
  type StoredCheckpoint,
} from "../../web/page/checkpoint_store.ts";
import type { Dataset } from "../../lib/data/dataset.ts";

const DIGITS: RunShape = {
  width: 128,
  batchSize: 200,
  inputDim: 784,
  numClasses: 10,
  trainN: 7996,
  testN: 2004,
};
/** WebGPU's guaranteed limits (the spec's defaults). */
const DEFAULTS: Limits = {
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  maxBufferSize: 256 * 2 ** 20,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupsPerDimension: 65535,
};

Deno.test("limits: the demo fits WebGPU's guaranteed limits; each need names what needs it", () => {
  assert.deepEqual(shortfalls(DIGITS, DEFAULTS), []);
  const needs = Object.fromEntries(runNeeds(DIGITS).map((n) => [n.limit, n]));
  // The largest buffer at width 128, batch 200: a batch of 200 images (more than 128×784 weights).
  assert.equal(needs.maxStorageBufferBindingSize.need, 4 * 200 * 784);
  assert.match(
    needs.maxStorageBufferBindingSize.why,
    /one batch of 200 images \(784 pixels each\)/,
  );
  const wide = runNeeds({ ...DIGITS, width: 512 })[0];
  assert.equal(wide.need, 4 * 512 * 784);
  assert.match(wide.why, /layer 0's 512×784 float32 weights/);
  // Width 4096 with batch 7996: a batch's activations (7996 × 4096) outgrow the weights.
  const big = runNeeds({ ...DIGITS, width: 4096, batchSize: 7996 })[0];
  assert.equal(big.need, 4 * 7996 * 4096);
  assert.match(big.why, /hidden activations of a batch and of an evaluation chunk \(7996 rows/);
  assert.equal(needs.maxComputeInvocationsPerWorkgroup.need, 256);
  assert.equal(needs.maxComputeWorkgroupStorageSize.need, 6144); // 4·8·(128+64)
  assert.equal(needs.maxComputeWorkgroupsPerDimension.need, Math.ceil(784 / 8));
});

Deno.test("limits: too small ones are explained in words, with the width that would fit", () => {
  const small = { ...DEFAULTS, maxStorageBufferBindingSize: 2 ** 20 };
  const shape = { ...DIGITS, width: 512 };
  const found = shortfalls(shape, small);
  assert.deepEqual(found.map((f) => [f.limit, f.need, f.have]), [
    ["maxStorageBufferBindingSize", 4 * 512 * 784, 2 ** 20],
  ]);
  assert.equal(largestWidth(shape, 2 ** 20), 334); // ⌊2^20 / (4·784)⌋
  const [text] = explainShortfalls(shape, found);
  assert.match(
    text,
    /^This adapter's maxStorageBufferBindingSize is 1\.0 MiB, but width 512 with batch 200 needs 1\.5 MiB for layer 0's 512×784 float32 weights.*Choose a width of at most 334 \(or a smaller batch\), or use a browser and GPU that offer a larger limit/,
  );
  // A batch too large for the binding whatever the width: no width is offered.
  const noWidth = explainShortfalls(
    { ...shape, batchSize: 7996 },
    shortfalls(
      { ...shape, batchSize: 7996 },
      small,
    ),
  );
  assert.match(noWidth[0], /Choose a smaller batch and width/);
  // A workgroup limit below WebGPU's guaranteed one: the browser is at fault, not the setting.
  const wg = { ...DEFAULTS, maxComputeInvocationsPerWorkgroup: 64 };
  const [w] = explainShortfalls(DIGITS, shortfalls(DIGITS, wg));
  assert.match(w, /maxComputeInvocationsPerWorkgroup is 64, but .* needs 256/);
  assert.match(w, /Every WebGPU implementation must offer at least 256.*Chrome or Edge/);
});

Deno.test("limits: ?limits= lowers the adapter's limits; a bad value is named", () => {
  const sim = parseSimulatedLimits("?limits=maxStorageBufferBindingSize=1048576,maxBufferSize=9");
  assert.deepEqual(sim, { maxStorageBufferBindingSize: 1048576, maxBufferSize: 9 });
  const eff = effectiveLimits({ ...DEFAULTS, maxBufferSize: 4 }, sim);
  assert.equal(eff.maxStorageBufferBindingSize, 1048576);
  assert.equal(eff.maxBufferSize, 4); // never raised above the adapter's
  assert.equal(eff.maxComputeWorkgroupsPerDimension, 65535);
  assert.equal(effectiveLimits({}).maxBufferSize, 0); // a missing limit counts as none
  assert.deepEqual(parseSimulatedLimits(""), {});
  assert.deepEqual(parseSimulatedLimits("?seed=1"), {});
  assert.throws(() => parseSimulatedLimits("?limits=maxFoo=3"), /"maxFoo" is not one of/);
  assert.throws(
    () => parseSimulatedLimits("?limits=maxBufferSize=-1"),
    /"maxBufferSize=-1" needs a positive whole number/,
  );
  assert.throws(() => parseSimulatedLimits("?limits=maxBufferSize"), /needs a positive whole/);
});

const DEMO_SGD = configFor({ type: 0, alpha: 2, sigma: 0, width: 128, seed: 1, maxSteps: 1500 });
const DEMO_T1 = configFor({
  type: 1,
  alpha: 1.75,
  sigma: 0.0025,
  width: 128,
  seed: 1,
  maxSteps: 1500,
});
/** figures/demo.csv's numbers as committed (rounded). */
const COMMITTED: CommittedArm[] = [
  {
    config: DEMO_SGD,
    numbers: {
      testAcc: 91.97,
      trainAcc: 95.46,
      mce: { pruningRatio: 0.1172, testAcc: 91.87, trainAcc: 95.24 },
    },
  },
  {
    config: DEMO_T1,
    numbers: {
      testAcc: 90.87,
      trainAcc: 95.1,
      mce: { pruningRatio: 0.2578, testAcc: 89.27, trainAcc: 92.42 },
    },
  },
];
const arm = (config: typeof DEMO_SGD, ratio: number, test = 92, pruned = 91) => ({
  config,
  final: { testAcc: test },
  mce: { pruningRatio: ratio, testAcc: pruned },
});

Deno.test("verdict: an SGD demo run against the committed Type I arm, in the report's words", () => {
  const v = verdictFor(arm(DEMO_SGD, 0.125), [], COMMITTED)!;
  // +13.3 pp clears the +5 pp bar, but one seed at width 128 cannot speak for the paper.
  assert.equal(v.outcome, "inconclusive");
  assert.deepEqual(v.caveats, ["one seed", "width 128, far below the paper's 5000"]);
  assert.deepEqual(v.evidence, [
    "Type I α=1.75 σ=0.0025 (committed, figures/demo.csv) − SGD (this page) gain: +13.3 pp " +
    "(one seed) → pass",
  ]);
  assert.equal(v.scale?.text, "n = 128, 10k MNIST digits");
  const parts = verdictParts(v);
  assert.equal(parts.outcome, "inconclusive");
  assert.match(parts.rest, /Why inconclusive: one seed; width 128, far below the paper's 5000\.$/);
});

Deno.test("verdict: a page run pairs with the latest page counterpart first; against the claim → not reproduced", () => {
  const t1 = arm(DEMO_T1, 0.05, 90, 89);
  // Against the committed SGD (0.1172): −6.7 pp, below −2 pp.
  const v = verdictFor(t1, [], COMMITTED)!;
  assert.equal(outcomeText(v), "not reproduced at reduced scale (n = 128, 10k MNIST digits)");
  // With an SGD run of the same setting in the page, that one is the baseline.
  const pair = pairFor(t1, [arm(DEMO_SGD, 0.02)], COMMITTED)!;
  assert.equal(pair.sgd.label, "SGD (this page, earlier)");
  assert.equal(verdictFor(t1, [arm(DEMO_SGD, 0.02)], COMMITTED)!.outcome, "inconclusive");
  // A heavy-tailed run that loses > 5 pp when pruned carries the figure scripts' caveat.
  const costly = verdictFor(arm(DEMO_T1, 0.6, 90, 80), [], COMMITTED)!;
  assert.ok(costly.caveats.includes(
    "every heavy-tailed run loses more than 5 pp of test accuracy when pruned",
  ));
  // Another width, seed or lr is another setting: no counterpart, no verdict.
  const other = configFor({
    type: 1,
    alpha: 1.75,
    sigma: 0.0025,
    width: 64,
    seed: 1,
    maxSteps: 1500,
  });
  assert.equal(verdictFor(arm(other, 0.3), [arm(DEMO_SGD, 0.1)], COMMITTED), undefined);
  const lr = configFor({
    type: 0,
    alpha: 2,
    sigma: 0,
    width: 128,
    seed: 1,
    maxSteps: 1500,
    lr: 0.1,
  });
  assert.equal(verdictFor(arm(lr, 0.1), [], COMMITTED), undefined);
});

/** What modelSpecFor reads of the digits: 784 inputs, 10 classes. */
const DIGITS_DATA = { inputDim: 784, numClasses: 10, shape: [1, 28, 28] } as unknown as Dataset;

function stored(settings: RunSettings, step = 50): StoredCheckpoint {
  const config = configFor(settings);
  return {
    version: STORED_VERSION,
    settings,
    config,
    state: { step, history: [{ step: 0 } as never] },
    weights: [new Float32Array(settings.width * 784), new Float32Array(10 * settings.width)],
    averaged: undefined,
    savedAt: "2026-12-03T12:00:00.000Z",
  };
}

Deno.test("checkpoint store: a record survives the round trip and is checked before resuming", async () => {
  const s: RunSettings = { type: 1, alpha: 1.75, sigma: 0.0025, width: 16, seed: 3, maxSteps: 60 };
  const store = new MemoryStore();
  assert.equal(await store.read(), undefined);
  const rec = stored(s);
  rec.weights[0][5] = 1.5;
  await store.write(rec);
  rec.weights[0][5] = 0; // the store holds a copy, as IndexedDB does
  const back = parseStoredCheckpoint(await store.read(), DIGITS_DATA);
  assert.equal(back.state.step, 50);
  assert.equal(back.weights[0][5], 1.5);
  assert.deepEqual(back.config, configFor(s));
  await store.clear();
  assert.equal(await store.read(), undefined);

  const bad = (edit: (r: Record<string, unknown>) => void, re: RegExp) => {
    const r = stored(s) as unknown as Record<string, unknown>;
    edit(r);
    assert.throws(() => parseStoredCheckpoint(r, DIGITS_DATA), re);
  };
  const where = /the checkpoint saved in this browser \(IndexedDB htsgd\/checkpoints\)/;
  bad((r) => (r.version = 0), where);
  bad((r) => (r.version = 0), /has version 0, expected 1/);
  bad(
    (r) => (r.weights = [new Float32Array(3), new Float32Array(160)]),
    /weight matrices 0 is not 12544 float32 values/,
  );
  bad((r) => (r.weights = [new Float32Array(12544)]), /has 1 weight matrices, expected 2/);
  bad((r) => (r.settings = { ...s, width: 32 }), /a config that its settings do not give/);
  bad((r) => (r.config = { ...configFor(s), lr: -1 }), /an invalid config/);
  bad((r) => ((r.state as { step: number }).step = 61), /no valid training state/);
  bad((r) => (r.averaged = [new Float32Array(1)]), /averaged weight matrices/);
  assert.throws(() => parseStoredCheckpoint("x", DIGITS_DATA), /is not a record/);
});
