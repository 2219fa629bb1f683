import assert from "node:assert/strict";
import {
  pruneWeightRows,
  pruningRatio,
  rowSquaredNormsHost,
  selectPrunedRows,
} from "../../lib/prune/columns.ts";

Deno.test("mce prunes the largest prefix of smallest units within the squared-error budget", () => {
  // Squared norms 1, 4, 9, 16, 70: total 100, budget 10 → units of norm² 1 and 4 (cum 5); adding 9 gives 14 > 10.
  const sq = Float64Array.from([16, 1, 70, 9, 4]);
  assert.deepEqual(selectPrunedRows(sq, { kind: "mce", error: 0.1 }), [1, 4]);
  // Budget exactly reached is still allowed (≤): 1 + 4 + 9 = 14 with error 0.14.
  assert.deepEqual(selectPrunedRows(sq, { kind: "mce", error: 0.14 }), [1, 4, 3]);
  assert.deepEqual(selectPrunedRows(sq, { kind: "mce", error: 0 }), []);
  assert.deepEqual(selectPrunedRows(sq, { kind: "mce", error: 1 }), [1, 4, 3, 0, 2]);
});

Deno.test("mce prunes nothing of an all-zero layer (the authors' 0/0 share is NaN, never ≤ error)", () => {
  const sq = new Float64Array([0, 0, 0, 0]);
  assert.deepEqual(selectPrunedRows(sq, { kind: "mce", error: 0.1 }), []);
  assert.deepEqual(selectPrunedRows(sq, { kind: "mce", error: 1 }), []);
});

Deno.test("fraction pruning removes floor(r·n) smallest units, ties by index", () => {
  const sq = Float64Array.from([2, 1, 1, 3, 0]);
  assert.deepEqual(selectPrunedRows(sq, { kind: "fraction", fraction: 0.5 }), [4, 1]);
  assert.deepEqual(selectPrunedRows(sq, { kind: "fraction", fraction: 0.99 }), [4, 1, 2, 0]);
  assert.deepEqual(selectPrunedRows(sq, { kind: "fraction", fraction: 0 }), []);
});

Deno.test("pruning zeroes rows of hidden layers only and reports the authors' ratio", () => {
  // Layer 0: 4 units × 2 inputs with norms² 25, 1, 0.25, 100 (total 126.25, budget 12.625 → units 2, 1).
  const w0 = Float32Array.from([3, 4, 1, 0, 0.3, 0.4, 6, 8]);
  const w1 = Float32Array.from([1, 1, 1, 1, 2, 2, 2, 2]); // output layer 2×4, never pruned
  const shapes = [{ out: 4, in: 2 }, { out: 2, in: 4 }];
  assert.deepEqual([...rowSquaredNormsHost(w0, 4, 2)].map((v) => +v.toFixed(4)), [
    25,
    1,
    0.25,
    100,
  ]);
  const { weights, layers } = pruneWeightRows([w0, w1], shapes, { kind: "mce", error: 0.1 });
  assert.deepEqual([...weights[0]], [3, 4, 0, 0, 0, 0, 6, 8]);
  assert.deepEqual(weights[1], w1);
  assert.equal(layers.length, 1);
  assert.equal(layers[0].pruned, 2);
  assert.ok(Math.abs(layers[0].relativeError - Math.sqrt(1.25 / 126.25)) < 1e-6);
  assert.equal(pruningRatio(layers), 0.5);
  // The inputs are not modified.
  assert.equal(w0[2], 1);
});

Deno.test("pruning ratio over several hidden layers weights by row length", () => {
  const layers = [
    { layer: 0, units: 10, pruned: 5, rowLength: 100, relativeError: 0 },
    { layer: 1, units: 10, pruned: 0, rowLength: 10, relativeError: 0 },
  ];
  // kept = 5·100 + 10·10 = 600 of 1100.
  assert.ok(Math.abs(pruningRatio(layers) - (1 - 600 / 1100)) < 1e-12);
});

Deno.test("bad criteria are rejected with a clear message", () => {
  const w = new Float32Array(4);
  const shapes = [{ out: 2, in: 1 }, { out: 2, in: 2 }];
  assert.throws(
    () => pruneWeightRows([w.subarray(0, 2), w], shapes, { kind: "mce", error: 2 }),
    /mce error/,
  );
  assert.throws(
    () => pruneWeightRows([w.subarray(0, 2), w], shapes, { kind: "fraction", fraction: -1 }),
    /fraction/,
  );
});
