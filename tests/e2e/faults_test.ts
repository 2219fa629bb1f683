/**
 * Faults that lose nothing: a sweep killed with SIGKILL at pseudo-random moments, a GPU device
 * lost mid-run, a disk that fills up mid-run, and stores that cannot be written. After each
 * fault, rerunning the sweep completes it to results bit-identical to an undisturbed run, with
 * no torn or duplicated record and no temp file that could pass for a result.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { expandGrid, type GridPoint, parseGrid } from "../../lib/shard/grid.ts";
import { checkStoreWritable, findTempFiles, removeTempFiles } from "../../lib/store/hygiene.ts";
import { loadStoredRun, mergeStores, runDifference } from "../../lib/shard/merge.ts";
import { DeviceLostError, runSweep, SweepRunError } from "../../lib/shard/sweep.ts";
import { pruneKey } from "../../lib/pipelines/run_and_prune.ts";
import { isTempName, WriteError } from "../../lib/store/atomic.ts";
import { ResultStore } from "../../lib/store/results.ts";
import { decodeTensors } from "../../lib/store/tensors.ts";
import { datasetFor } from "../../lib/data/for_config.ts";
import { dataRecordFor, runKey } from "../../lib/train/run.ts";
import { SMALL_SYNTHETIC_CONFIG } from "../helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const GRID = {
  base: { ...SMALL_SYNTHETIC_CONFIG, limitTrain: 200, limitTest: 100 },
  axes: { seed: [1, 2], "noise.alpha": [1.5, 1.9] },
};
const POINTS: GridPoint[] = expandGrid(parseGrid(GRID)).points;
const CRITERIA = [{ kind: "mce" as const, error: 0.1 }];
/** Each point's store key (config, data fingerprint, code version). */
const RUN_KEYS = new Map(
  await Promise.all(
    POINTS.map(async (p) =>
      [p, runKey(p.config, dataRecordFor(p.config, await datasetFor(p.config)))] as const
    ),
  ),
);
const runKeyOf = (p: GridPoint) => RUN_KEYS.get(p)!;
/** Every key a finished sweep stores: a training and a pruning record per point. */
const ALL_KEYS = POINTS.flatMap((p) => [runKeyOf(p), pruneKey(runKeyOf(p), CRITERIA)]).sort();
const CHECKPOINT_EVERY = 3;

/** The undisturbed sweep, computed once per test file, and how long its work took (ms). */
let reference: Promise<{ dir: string; ms: number }> | undefined;
function referenceRun(): Promise<{ dir: string; ms: number }> {
  reference ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "htsgd-ref-" });
    const gpu = await Gpu.shared();
    const started = performance.now();
    await runSweep(gpu, new ResultStore(dir), POINTS, { checkpointEvery: CHECKPOINT_EVERY });
    return { dir, ms: performance.now() - started };
  })();
  return reference;
}

addEventListener("unload", () => {
  // The reference store outlives the tests that share it; remove it at exit.
  reference?.then(({ dir }) => Deno.removeSync(dir, { recursive: true })).catch(() => {});
});

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/**
 * What must hold after any fault: every record.json parses, matches its folder and its weights
 * verify; every checkpoint verifies; run folders hold nothing but record.json, weights.htt and
 * temp files; `ResultStore.list` sees exactly the folders with a record. Returns the finished
 * keys and the number of temp files.
 */
async function assertNoTornResults(dir: string): Promise<{ finished: string[]; temps: number }> {
  const finished: string[] = [];
  for (const key of await listNames(join(dir, "runs"))) {
    const loaded = await loadStoredRun(dir, key);
    assert.notEqual(loaded.kind, "corrupt", loaded.kind === "corrupt" ? loaded.detail : "");
    if (loaded.kind === "run") finished.push(key);
    for (const name of await listNames(join(dir, "runs", key))) {
      assert.ok(
        name === "record.json" || name === "weights.htt" || isTempName(name),
        `unexpected ${key}/${name}`,
      );
    }
  }
  for (const name of await listNames(join(dir, "checkpoints"))) {
    if (isTempName(name)) continue;
    decodeTensors(await Deno.readFile(join(dir, "checkpoints", name)), name); // throws if torn
  }
  const listed = (await new ResultStore(dir).list()).map((r) => r.key);
  assert.deepEqual(listed, finished.sort());
  assert.ok(finished.every((k) => ALL_KEYS.includes(k)), "no record outside the grid");
  return { finished, temps: (await findTempFiles(dir)).length };
}

/** The finished store equals the reference: same keys, same results, bit-identical weights. */
async function assertSameAsReference(dir: string): Promise<void> {
  const ref = (await referenceRun()).dir;
  assert.deepEqual(await listNames(join(dir, "runs")), ALL_KEYS);
  for (const key of ALL_KEYS) {
    const a = await loadStoredRun(dir, key);
    const b = await loadStoredRun(ref, key);
    assert.ok(a.kind === "run" && b.kind === "run", key);
    assert.equal(runDifference(a.run, b.run), undefined, `${key} differs from the reference`);
    assert.deepEqual(a.run.weightsBytes, b.run.weightsBytes);
  }
  const leftovers = (await listNames(join(dir, "checkpoints"))).filter((n) => !isTempName(n));
  assert.deepEqual(leftovers, [], "no checkpoint outlives its finished run");
}

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sweepCommand(
  grid: string,
  store: string,
  stdout: "piped" | "null" = "piped",
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "scripts/sweep.ts",
      "--grid",
      grid,
      "--store",
      store,
      "--checkpoint-every",
      String(CHECKPOINT_EVERY),
    ],
    cwd: ROOT,
    stdout,
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

Deno.test("a sweep killed with SIGKILL at pseudo-random moments completes on rerun, nothing torn or lost", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const grid = join(dir, "grid.json");
    const store = join(dir, "store");
    await Deno.writeTextFile(grid, JSON.stringify(GRID));
    // Kill moments: pseudo-random (fixed seed) within the first 30% of the time the sweep's work
    // takes undisturbed, counted from when the process has started and reached its work, so
    // kills land in training, checkpoint writes, pruning and record writes on any machine.
    const workMs = (await referenceRun()).ms;
    const next = rng(0x5eed);
    let kills = 0;
    let resumes = 0;
    let completedBy = -1;
    const seenTemps: number[] = [];
    const progress: number[] = [];
    for (let attempt = 0; attempt < 16 && completedBy < 0; attempt++) {
      const child = sweepCommand(grid, store, "null").spawn();
      let stderr = "";
      const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
      const readUntil = async (marker: RegExp | undefined) => {
        while (marker === undefined || !marker.test(stderr)) {
          const { value, done } = await reader.read();
          if (done) return;
          stderr += value;
        }
      };
      await readUntil(/shard \d+\/\d+: \d+ of/); // the work begins
      const delay = next() * 0.3 * workMs;
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
          kills++;
        } catch {
          // it had exited already
        }
      }, delay);
      await readUntil(undefined);
      const status = await child.status;
      clearTimeout(timer);
      resumes += stderr.match(/resumed from checkpoint/g)?.length ?? 0;
      if (status.success) completedBy = attempt;
      else assert.equal(status.signal, "SIGKILL", `attempt ${attempt} failed:\n${stderr}`);
      const state = await assertNoTornResults(store);
      seenTemps.push(state.temps);
      progress.push(state.finished.length);
    }
    assert.ok(kills >= 3, `only ${kills} kills landed`);
    // Progress is never lost: the count of finished results never goes down.
    for (let i = 1; i < progress.length; i++) {
      assert.ok(progress[i] >= progress[i - 1], `${progress}`);
    }
    if (completedBy < 0) {
      const out = await sweepCommand(grid, store).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
    }
    // The last (complete) run reports every point once.
    const final = await sweepCommand(grid, store).output();
    const lines = new TextDecoder().decode(final.stdout).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines.map((l) => l.key), POINTS.map((p) => runKeyOf(p)));
    assert.ok(lines.every((l) => l.cached));
    await assertNoTornResults(store);
    await assertSameAsReference(store);
    // Temp files a kill may have left are never taken for results: not listed, not merged ...
    const temps = await findTempFiles(store);
    const merged = join(dir, "merged");
    const report = await mergeStores(merged, [store]);
    assert.deepEqual(report.copied.sort(), ALL_KEYS);
    assert.equal(report.tempFilesSkipped, temps.length);
    assert.deepEqual(await findTempFiles(merged), []);
    // ... and are cleared once stale (here: any age).
    assert.deepEqual(await removeTempFiles(store, { olderThanSeconds: 0 }), temps);
    assert.deepEqual(await findTempFiles(store), []);
    console.log(
      `  work ${
        workMs.toFixed(0)
      } ms; ${kills} kills, ${resumes} resumes from checkpoints, finished after each attempt: ` +
        `${progress.join(" ")}, temp files left: ${seenTemps.join(" ")}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a GPU device lost mid-run fails the sweep clearly; the rerun resumes to the identical result", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    const doomed = await Gpu.create();
    let evals = 0;
    const victim = POINTS[1];
    await assert.rejects(
      runSweep(doomed, store, POINTS, {
        checkpointEvery: CHECKPOINT_EVERY,
        trainLog: (line, point) => {
          // The second point's evaluation at step 10: the device goes away (as on a driver
          // reset), while the run is between checkpoints.
          if (/^step \d+:/.test(line) && point === victim && ++evals === 2) {
            doomed.device.destroy();
          }
        },
      }),
      (err: Error) => {
        assert.ok(err instanceof SweepRunError, String(err));
        assert.ok(err.cause instanceof DeviceLostError, String(err.cause));
        assert.match(err.message, new RegExp(`^run ${runKeyOf(victim)} \\(grid point 1: `));
        assert.match(err.message, /GPU device lost \(destroyed/);
        assert.match(err.message, /rerun the same command to resume/);
        return true;
      },
    );
    const state = await assertNoTornResults(dir);
    assert.deepEqual(
      state.finished.sort(),
      [runKeyOf(POINTS[0]), pruneKey(runKeyOf(POINTS[0]), CRITERIA)].sort(),
    );
    const checkpoint = await store.loadCheckpoint(runKeyOf(victim));
    assert.ok(checkpoint, "the last checkpoint before the loss is kept");
    const savedAt = (checkpoint.meta as { step: number }).step;
    assert.equal(savedAt, 9);

    const fresh = await Gpu.create();
    try {
      const lines: string[] = [];
      const summary = await runSweep(fresh, store, POINTS, {
        checkpointEvery: CHECKPOINT_EVERY,
        trainLog: (line, point) => lines.push(`${point.index}: ${line}`),
      });
      assert.deepEqual(summary.results.map((r) => r.cached), [true, false, false, false]);
      assert.ok(lines.includes(`1: resumed from checkpoint at step ${savedAt}`), lines.join("\n"));
      await assertSameAsReference(dir);
    } finally {
      fresh.device.destroy();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A real ENOSPC from the kernel: writing to /dev/full (undefined where it does not exist). */
async function realEnospc(): Promise<Error | undefined> {
  try {
    const f = await Deno.open("/dev/full", { write: true });
    try {
      await f.write(new Uint8Array(1));
    } finally {
      f.close();
    }
  } catch (err) {
    return err as Error;
  }
  return undefined;
}

Deno.test("a full disk fails the sweep naming the path; after freeing space the rerun completes identically", async (t) => {
  const enospc = await realEnospc();
  if (!enospc) {
    console.log("  (no /dev/full here: ENOSPC cannot be produced; test skipped)");
    return;
  }
  await t.step("ENOSPC maps to a 'disk full' WriteError naming the path", () => {
    const e = new WriteError("/data/store/runs/k/weights.htt", enospc);
    assert.match(
      e.message,
      /^cannot write \/data\/store\/runs\/k\/weights\.htt \(disk full\): No space left/,
    );
  });
  const dir = await Deno.makeTempDir();
  const realOpen = Deno.open;
  try {
    const store = new ResultStore(dir);
    // The disk "fills up" after 14 atomic writes (the first point takes 12: nine checkpoints,
    // weights, record, pruning record): from then on every temp file of the store is created
    // as usual, but its data goes to /dev/full, whose writes fail with a real ENOSPC.
    let writesLeft = 14;
    (Deno as { open: typeof Deno.open }).open = async (path, options) => {
      const p = path instanceof URL ? fileURLToPath(path) : path;
      if (options?.createNew && p.startsWith(dir) && isTempName(basename(p))) {
        if (writesLeft-- <= 0) {
          (await realOpen(p, options)).close();
          return await realOpen("/dev/full", { write: true });
        }
      }
      return await realOpen(path, options);
    };
    const victim = POINTS[1];
    await assert.rejects(
      runSweep(await Gpu.shared(), store, POINTS, { checkpointEvery: CHECKPOINT_EVERY }),
      (err: Error) => {
        assert.ok(err instanceof SweepRunError, String(err));
        assert.ok(err.cause instanceof WriteError, String(err.cause));
        const path = store.checkpointPath(runKeyOf(victim));
        assert.ok(err.message.includes(`cannot write ${path} (disk full)`), err.message);
        return true;
      },
    );
    assert.deepEqual(await findTempFiles(dir), [], "the failed write removed its temp file");
    const state = await assertNoTornResults(dir);
    assert.equal(state.finished.length, 2, "the first point is finished");
    const checkpoint = await store.loadCheckpoint(runKeyOf(victim));
    assert.equal((checkpoint?.meta as { step: number }).step, 6, "the last good checkpoint");
    (Deno as { open: typeof Deno.open }).open = realOpen; // space freed
    await runSweep(await Gpu.shared(), store, POINTS, { checkpointEvery: CHECKPOINT_EVERY });
    await assertSameAsReference(dir);
  } finally {
    (Deno as { open: typeof Deno.open }).open = realOpen;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unwritable store fails before any work, naming the path; nothing is written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const grid = join(dir, "grid.json");
    await Deno.writeTextFile(grid, JSON.stringify(GRID));
    // 1. The store path is a regular file.
    const file = join(dir, "store-file");
    await Deno.writeTextFile(file, "not a store");
    const asFile = await sweepCommand(grid, file).output();
    const err1 = new TextDecoder().decode(asFile.stderr);
    assert.equal(asFile.code, 1, err1);
    assert.match(err1, new RegExp(`error: cannot write ${file}: it exists and is not a folder`));
    assert.doesNotMatch(err1, /adapter:/, "failed before touching the GPU");
    assert.equal(await Deno.readTextFile(file), "not a store");
    // 2. The store's runs/ is a file; 3. the store lies under a file.
    const store = join(dir, "store");
    await Deno.mkdir(store);
    await Deno.writeTextFile(join(store, "runs"), "");
    const runsFile = await sweepCommand(grid, store).output();
    assert.equal(runsFile.code, 1);
    assert.match(
      new TextDecoder().decode(runsFile.stderr),
      new RegExp(`cannot write ${store}/runs: `),
    );
    const under = await sweepCommand(grid, join(file, "store")).output();
    assert.equal(under.code, 1);
    assert.match(
      new TextDecoder().decode(under.stderr),
      new RegExp(`cannot write ${file}/store: Not a directory`),
    );
    assert.deepEqual(await listNames(dir), ["grid.json", "store", "store-file"]);
    assert.deepEqual(await listNames(store), ["runs"]);
    // 4. Merging into a file fails the same way, and writes nothing.
    const merge = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/merge.ts", "--into", file, store],
      cwd: ROOT,
      stderr: "piped",
      stdout: "null",
    }).output();
    assert.equal(merge.code, 1);
    assert.match(
      new TextDecoder().decode(merge.stderr),
      /destination .*store-file is not a folder/,
    );
    // 5. A read-only folder (only where permissions bind: not as root).
    const ro = join(dir, "ro");
    await Deno.mkdir(ro);
    await Deno.chmod(ro, 0o555);
    try {
      let binds = false;
      try {
        await Deno.writeTextFile(join(ro, "probe"), "");
        await Deno.remove(join(ro, "probe"));
      } catch (err) {
        binds = err instanceof Deno.errors.PermissionDenied;
      }
      if (binds) {
        await assert.rejects(
          checkStoreWritable(join(ro, "store")),
          new RegExp(`cannot write ${ro}/store \\(permission denied`),
        );
      } else console.log("  (running as root: the read-only folder case is skipped)");
    } finally {
      await Deno.chmod(ro, 0o755);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a kill between a record's temp write and its rename leaves nothing that passes for a result", async () => {
  const ref = (await referenceRun()).dir;
  const dir = await Deno.makeTempDir();
  try {
    // The exact state such a kill leaves: weights in place, the whole record still in its temp
    // file (written and synced, never renamed), and the run's last checkpoint gone or not.
    const point = POINTS[2];
    const runDir = join(dir, "runs", runKeyOf(point));
    await Deno.mkdir(runDir, { recursive: true });
    await Deno.copyFile(
      join(ref, "runs", runKeyOf(point), "weights.htt"),
      join(runDir, "weights.htt"),
    );
    const temp = join(runDir, ".record.json.4242.0123456789ab.tmp");
    await Deno.copyFile(join(ref, "runs", runKeyOf(point), "record.json"), temp);
    const store = new ResultStore(dir);
    assert.equal(await store.has(runKeyOf(point)), false);
    assert.deepEqual(await store.list(), []);
    const report = await mergeStores(join(dir, "merged"), [dir]);
    assert.deepEqual(report.copied, []);
    assert.deepEqual(report.unfinished, [{ store: dir, key: runKeyOf(point) }]);
    assert.equal(report.tempFilesSkipped, 1);
    // A fresh temp file may belong to a live writer: kept. An hour-old one is stale: removed.
    assert.deepEqual(await removeTempFiles(dir), []);
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    await Deno.utime(temp, old, old);
    // The sweep removes it at start, redoes the run and stores the identical result.
    const lines: string[] = [];
    await runSweep(await Gpu.shared(), store, [point], {
      checkpointEvery: CHECKPOINT_EVERY,
      log: (l) => lines.push(l),
    });
    assert.ok(lines.includes("removed 1 stale temp file(s) left by killed processes"), `${lines}`);
    assert.deepEqual(await findTempFiles(dir), []);
    const a = await loadStoredRun(dir, runKeyOf(point));
    const b = await loadStoredRun(ref, runKeyOf(point));
    assert.ok(a.kind === "run" && b.kind === "run");
    assert.equal(runDifference(a.run, b.run), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
