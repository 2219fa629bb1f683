/**
 * Issue #24 at module level: export's file names for an --out that is not normalised (item 2);
 * export is all or nothing and refuses a folder holding files or a file (item 14); two identical
 * imports at once create one run (item 15); the runs table skips, by file name, a record whose
 * metrics are not of its kind's shape (item 7); a one-layer file gets a clear refusal.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { exportRun } from "../../lib/interop/export.ts";
import { importSafetensors, inferArchitecture } from "../../lib/interop/import.ts";
import { runRows } from "../../lib/interop/runs_table.ts";
import { pruneKey, storePruneResults } from "../../lib/pipelines/run_and_prune.ts";
import { recordChecksum, ResultStore, type RunRecord } from "../../lib/store/results.ts";
import { DEFAULT_CONFIG, type TrainConfig } from "../../lib/train/config.ts";
import { trainRecordFor } from "../../lib/train/metrics.ts";
import { runKey } from "../../lib/train/run.ts";
import { withTempDir } from "../helpers.ts";

const FCN: TrainConfig = {
  ...DEFAULT_CONFIG,
  dataset: "synthetic",
  width: 6,
  depth: 3,
  batchSize: 8,
  maxSteps: 10,
};
const SHAPES: [number, number][] = [[6, 32], [6, 6], [10, 6]];
const DATA = { name: "synthetic", source: "none (test weights)", sha256: "00".repeat(32) };

function weights(): Float32Array[] {
  return SHAPES.map(([o, i], l) =>
    Float32Array.from({ length: o * i }, (_, k) => ((k * 5 + l) % 9 - 4) * (1 + (k / i | 0)) / 9)
  );
}

async function storeWithRun(dir: string): Promise<{ store: ResultStore; key: string }> {
  const store = new ResultStore(dir);
  const key = runKey(FCN, DATA);
  const final = { step: 4, trainLoss: 1, trainAcc: 50, testLoss: 1, testAcc: 40, batchLoss: 1 };
  await store.put(key, {
    key,
    config: { kind: trainRecordFor(FCN).kind, ...FCN },
    data: DATA,
    codeVersion: "test",
    createdAt: "2026-01-01T00:00:00.000Z",
    metrics: { steps: 4, stopReason: "max-steps", history: [], final, wallSeconds: 1 },
  }, Object.fromEntries(weights().map((w, l) => [`W${l}`, w])));
  return { store, key };
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("export: run.json names the files as written, whatever form --out takes", async () => {
  await withTempDir(async (dir) => {
    const { store, key } = await storeWithRun(join(dir, "store"));
    // Not normalised: a doubled separator, a "sub/.." detour.
    await Deno.mkdir(join(dir, "sub"));
    const cases: [string, "safetensors" | "npy", string][] = [
      [`${dir}//st`, "safetensors", join(dir, "st")],
      [`${dir}/sub/../npy`, "npy", join(dir, "npy")],
    ];
    for (const [out, format, real] of cases) {
      const res = await exportRun(store, key, { format, outDir: out });
      const json = JSON.parse(await Deno.readTextFile(join(real, "run.json")));
      const want = format === "safetensors"
        ? ["model.safetensors"]
        : ["0.weight.npy", "2.weight.npy", "4.weight.npy"];
      assert.deepEqual(json.files, want, out);
      assert.deepEqual(names(real), [...want, "run.json"].sort(), out);
      for (const f of res.files) assert.ok(Deno.statSync(f).isFile, f);
    }
  });
});

Deno.test("export: a folder holding files, or a file, is refused before anything is written", async () => {
  await withTempDir(async (dir) => {
    const { store, key } = await storeWithRun(join(dir, "store"));
    const out = join(dir, "out");
    await Deno.mkdir(out);
    await Deno.writeTextFile(join(out, "4.weight.npy"), "stale, from an earlier export");
    await assert.rejects(
      exportRun(store, key, { format: "npy", outDir: out }),
      /--out .*out: the folder already holds files \(4\.weight\.npy\)/,
    );
    assert.deepEqual(names(out), ["4.weight.npy"], "nothing written beside the stale file");
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "x");
    await assert.rejects(
      exportRun(store, key, { format: "npy", outDir: file }),
      /--out .*a-file: names an existing file, not a folder/,
    );
    // An empty folder is fine, and ends up holding exactly the export.
    await Deno.mkdir(join(dir, "empty"));
    await exportRun(store, key, { format: "safetensors", outDir: join(dir, "empty") });
    assert.deepEqual(names(join(dir, "empty")), ["model.safetensors", "run.json"]);
    // An empty folder reached through a link: the export lands in the folder; the link stays.
    await Deno.mkdir(join(dir, "real"));
    await Deno.symlink(join(dir, "real"), join(dir, "link"));
    await exportRun(store, key, { format: "safetensors", outDir: join(dir, "link") });
    assert.ok(Deno.lstatSync(join(dir, "link")).isSymlink);
    assert.deepEqual(names(join(dir, "real")), ["model.safetensors", "run.json"]);
  });
});

Deno.test("export: a failure part-way leaves no output folder and no temp folder", async () => {
  await withTempDir(async (dir) => {
    const { store, key } = await storeWithRun(join(dir, "store"));
    const before = names(dir);
    // run.json is written last; make it fail (a BigInt has no JSON form) after the .npy files.
    const rec = (await store.get(key))!;
    const bad = { ...rec, config: { ...(rec.config as object), big: 1n } } as RunRecord;
    const orig = store.get.bind(store);
    let calls = 0;
    store.get = (k: string) => k === key && calls++ === 0 ? Promise.resolve(bad) : orig(k);
    await assert.rejects(
      exportRun(store, key, { format: "npy", outDir: join(dir, "out") }),
      /run\.json/,
    );
    assert.deepEqual(names(dir), before, "the .npy files written before the failure are gone");
  });
});

Deno.test("two identical imports started together: one creates the run, the other reports it existing", async () => {
  await withTempDir(async (dir) => {
    const { store, key } = await storeWithRun(join(dir, "store"));
    await exportRun(store, key, { format: "safetensors", outDir: join(dir, "x") });
    const path = join(dir, "x", "model.safetensors");
    const bytes = await Deno.readFile(path);
    const target = new ResultStore(join(dir, "imported"));
    const results = await Promise.all(
      [1, 2, 3].map(() => importSafetensors(target, path, bytes, FCN, DATA)),
    );
    assert.deepEqual(results.map((r) => r.created).filter((c) => c).length, 1);
    assert.equal(new Set(results.map((r) => r.key)).size, 1);
    assert.equal(new Set(results.map((r) => r.record.createdAt)).size, 1, "one record, shared");
    assert.deepEqual((await target.get(results[0].key))!.data, DATA);
  });
});

Deno.test("storePruneResults: concurrent stores of one pruning keep the first, without an error", async () => {
  await withTempDir(async (dir) => {
    const { store, key } = await storeWithRun(join(dir, "store"));
    const evalOf = (accuracy: number) => ({ loss: 0.1, accuracy });
    const criterion = { kind: "mce", error: 0.1 } as const;
    const one = (r: number) => [{
      criterion,
      pruningRatio: r,
      layers: [],
      train: evalOf(90),
      test: evalOf(80),
    }];
    await Promise.all(
      [0.1, 0.2, 0.3].map((r) => storePruneResults(store, key, [criterion], one(r))),
    );
    const rec = (await store.get(pruneKey(key, [criterion])))!;
    assert.ok(
      [0.1, 0.2, 0.3].includes((rec.metrics.pruned as { pruningRatio: number }[])[0].pruningRatio),
    );
  });
});

Deno.test("runs table: a prune record with a valid checksum but metrics of another shape is skipped, by file name", async () => {
  await withTempDir(async (dir) => {
    const { store, key } = await storeWithRun(join(dir, "store"));
    // A prune record whose `pruned` entries lack criterion and accuracies, with a valid checksum.
    const badKey = "badprune";
    const rest = {
      key: badKey,
      config: { kind: "prune", run: key, criteria: [] },
      codeVersion: "test",
      createdAt: "t",
      metrics: { pruned: [{ pruningRatio: 0.5 }] },
    };
    await Deno.mkdir(store.runDir(badKey), { recursive: true });
    await Deno.writeTextFile(
      store.recordPath(badKey),
      JSON.stringify({ ...rest, recordSha256: recordChecksum(rest as RunRecord) }),
    );
    const skipped: string[] = [];
    const rows = await runRows(store, (l) => skipped.push(l));
    assert.deepEqual(rows.map((r) => r.key), [key], "the table of the other runs survives");
    assert.equal(rows[0].pruneResults, null);
    assert.equal(skipped.length, 1);
    assert.ok(skipped[0].includes(store.recordPath(badKey)), skipped[0]);
    assert.match(skipped[0], /not a valid "prune" result \(metrics\.pruned\.0\.criterion/);
    // A record without a checksum, and one with a broken checksum, are skipped the same way.
    await Deno.mkdir(store.runDir("old"), { recursive: true });
    await Deno.writeTextFile(store.recordPath("old"), JSON.stringify({ ...rest, key: "old" }));
    skipped.length = 0;
    assert.deepEqual((await runRows(store, (l) => skipped.push(l))).map((r) => r.key), [key]);
    assert.equal(skipped.length, 2);
    assert.match(skipped.find((l) => l.includes("old"))!, /cannot be verified/);
    // A record.json linked to /dev/zero is skipped unread.
    if (Deno.statSync("/dev/zero").isCharDevice) {
      await Deno.mkdir(store.runDir("zero"), { recursive: true });
      await Deno.symlink("/dev/zero", store.recordPath("zero"));
      skipped.length = 0;
      assert.deepEqual((await runRows(store, (l) => skipped.push(l))).map((r) => r.key), [key]);
      assert.match(skipped.find((l) => l.includes("zero"))!, /character device/);
    }
  });
});

Deno.test("import: a one-layer file is refused with a clear message naming the file", () => {
  const t = {
    name: "0.weight",
    dtype: "F32" as const,
    shape: [10, 32],
    data: new Float32Array(320),
  };
  assert.throws(
    () => inferArchitecture([t], "one.safetensors"),
    /one\.safetensors: holds one weight tensor \("0\.weight", shape \[10,32\]\): a one-layer \(linear\) network/,
  );
});
