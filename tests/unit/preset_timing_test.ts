/**
 * The preset's measured wall time (lib/figures/preset_timing.ts) comes from its training records:
 * only records of the preset's configs at this code version count, each config once; the span
 * runs from the earliest start (record time − training seconds) to the latest record.
 */
import assert from "node:assert/strict";
import {
  presetConfigs,
  type TimedRecord,
  timingLine,
  timingOf,
  unionLength,
} from "../../lib/figures/preset_timing.ts";
import { presetByName } from "../../lib/figures/common/presets.ts";
import { canonicalJson } from "../../lib/store/hash.ts";

const V = "v1";
const A = { width: 8, seed: 1 };
const B = { seed: 2, width: 8 }; // key order must not matter
const configs = [canonicalJson(A), canonicalJson(B)];

/** A training record as the store holds it: the TrainConfig under its kind. */
function rec(
  config: Record<string, unknown>,
  createdAt: string,
  wallSeconds: unknown,
  codeVersion = V,
  kind = "fcn-train",
): TimedRecord {
  return { config: { kind, ...config }, codeVersion, createdAt, metrics: { wallSeconds } };
}

Deno.test("timing: span from the first start to the last record, sum of training seconds", () => {
  const t = timingOf(
    [
      rec(A, "2026-12-03T10:10:00.000Z", 600), // started 10:00
      rec({ width: 8, seed: 2 }, "2026-12-03T10:30:00.000Z", 300), // started 10:25
    ],
    configs,
    V,
  );
  assert.equal(t.found, 2);
  assert.equal(t.expected, 2);
  assert.equal(t.trainSeconds, 900);
  assert.equal(t.spanSeconds, 1800);
  assert.equal(t.busySeconds, 900); // 10:00–10:10 and 10:25–10:30
  assert.equal(t.first, "2026-12-03T10:00:00.000Z");
  assert.equal(t.last, "2026-12-03T10:30:00.000Z");
  assert.match(
    timingLine(t),
    /2 of 2 training records in the store: 15 min with at least one run training.*span of 30 min.*15 min of training summed/,
  );
});

Deno.test("timing: concurrent runs count once and idle gaps not at all in the busy time", () => {
  const cs = [1, 2, 3, 4].map((seed) => canonicalJson({ width: 8, seed }));
  const t = timingOf(
    [
      rec({ width: 8, seed: 1 }, "2026-12-03T10:10:00.000Z", 600), // 10:00–10:10
      rec({ width: 8, seed: 2 }, "2026-12-03T10:15:00.000Z", 600), // 10:05–10:15 (overlaps)
      rec({ width: 8, seed: 3 }, "2026-12-03T10:12:00.000Z", 60), // 10:11–10:12 (inside)
      rec({ width: 8, seed: 4 }, "2026-12-03T12:20:00.000Z", 1200), // 12:00–12:20, after a gap
    ],
    cs,
    V,
  );
  assert.equal(t.found, 4);
  assert.equal(t.trainSeconds, 2460);
  assert.equal(t.spanSeconds, 2 * 3600 + 20 * 60);
  assert.equal(t.busySeconds, 15 * 60 + 20 * 60);
  assert.equal(unionLength([]), 0);
  assert.equal(unionLength([[5, 5]]), 0);
  assert.equal(unionLength([[0, 10], [10, 20]]), 20); // touching intervals
  assert.equal(unionLength([[30, 40], [0, 10], [5, 8]]), 20); // unsorted, nested
});

Deno.test("timing: other code versions, other configs, repeats and bad fields are left out", () => {
  const t = timingOf(
    [
      rec(A, "2026-12-03T10:10:00.000Z", 600),
      rec(A, "2026-12-03T12:00:00.000Z", 600), // the same config again: counted once
      rec(B, "2026-12-03T11:00:00.000Z", 60, "v0"), // older code
      rec({ width: 16, seed: 1 }, "2026-12-03T09:00:00.000Z", 60), // not the preset's
      rec(B, "not a date", 60),
      rec(B, "2026-12-03T11:00:00.000Z", "60"),
      rec(B, "2026-12-03T11:00:00.000Z", NaN),
      rec(B, "2026-12-03T11:00:00.000Z", 60, V, "prune"), // not a training record
      {
        config: canonicalJson(B),
        codeVersion: V,
        createdAt: "2026-12-03T11:00:00.000Z",
        metrics: {},
      },
    ],
    configs,
    V,
  );
  assert.equal(t.found, 1);
  assert.equal(t.trainSeconds, 600);
  assert.equal(t.spanSeconds, 600);
  assert.equal(t.busySeconds, 600);
  const none = timingOf([], configs, V);
  assert.deepEqual([none.found, none.spanSeconds, none.busySeconds, none.first], [
    0,
    0,
    0,
    undefined,
  ]);
  assert.match(timingLine(none), /No training record/);
});

Deno.test("timing: the cpu preset's configs are its 2306.08125 runs and its 2106.03795 sweep", () => {
  const cpu = presetByName("cpu");
  // 110 runs (headline 40, α sweep 30 more, width sweep 40 more; the curves share them) + 30
  // collapse-check seeds beyond the headline's 10 + 20 runs of the (lr, batch) sweep.
  assert.equal(presetConfigs(cpu, cpu.seeds).length, 110 + 30 + 20);
});
