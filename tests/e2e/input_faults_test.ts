/**
 * Script-level faults from the audit of issue 24: Ctrl-C during `noise` (item 6), ECG5000 `.npy`
 * splits with no rows (items 3 and 4), a `--config` file that is not an object (item 13) and a
 * repeated flag. Each runs the real script in a subprocess and checks its exit code, its message
 * and that nothing is left on disk. The module-level checks are in tests/unit/input_guards_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeNpy } from "../../lib/formats/npy.ts";
import { ecgValue, ROOT, runDeno, withTempDir } from "../helpers.ts";

/** Every file under `dir`, recursively (none when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) out.push(...await filesUnder(join(dir, e.name)));
      else out.push(join(dir, e.name));
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

const listDir = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);

Deno.test("Ctrl-C during noise removes its partial temp file and says so (item 6)", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "big.f32");
    // 2^31 samples (8 GiB): far more than is written before the interrupt lands.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/noise.ts",
        "--alpha",
        "1.5",
        "--n",
        String(2 ** 31),
        "--out",
        out,
      ],
      cwd: ROOT,
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    // Interrupt mid-write: once the temp file exists and holds data.
    let tmp: string | undefined;
    for (let tries = 0; tries < 6000 && tmp === undefined; tries++) {
      for (const name of await listDir(dir)) {
        if (name.endsWith(".tmp") && (await Deno.stat(join(dir, name))).size > 0) tmp = name;
      }
      if (tmp === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(tmp, "noise never started writing its temp file");
    child.kill("SIGINT");
    const { code, stderr } = await output;
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 130, err);
    assert.match(
      err,
      /interrupted: .*big\.f32 was not written \(its partial temp file was removed\)/,
    );
    assert.doesNotMatch(err, /checkpoint|store/);
    assert.deepEqual(await listDir(dir), [], "nothing may remain: no *.tmp, no big.f32");
  });
});

/** The authors' four ECG5000 `.npy` files with `nTrain` / `nTest` rows. */
async function writeEcgNpy(dir: string, nTrain: number, nTest: number) {
  const put = (name: string, bytes: Uint8Array) => Deno.writeFile(join(dir, name), bytes);
  const x = (n: number) =>
    Float32Array.from({ length: n * 140 }, (_, k) => ecgValue(Math.floor(k / 140), k % 140));
  const y = (n: number) => Float64Array.from({ length: n }, (_, i) => 1 + (i % 5));
  await put("X_train.npy", encodeNpy(x(nTrain), [nTrain, 140]));
  await put("y_train.npy", encodeNpy(y(nTrain), [nTrain]));
  await put("X_test.npy", encodeNpy(x(nTest), [nTest, 140]));
  await put("y_test.npy", encodeNpy(y(nTest), [nTest]));
}

const TRAIN_SMALL = ["--width", "8", "--batch-size", "4", "--eval-every", "2", "--max-steps", "2"];

Deno.test("train on ECG5000 .npy splits with 0 rows: a clear error, no panic, nothing stored (items 3, 4)", async () => {
  await withTempDir(async (dir) => {
    for (const [nTrain, nTest, file] of [[0, 10, "X_train.npy"], [10, 0, "X_test.npy"]] as const) {
      const data = join(dir, `data-${nTrain}-${nTest}`);
      const store = join(dir, `store-${nTrain}-${nTest}`);
      await Deno.mkdir(data);
      await writeEcgNpy(data, nTrain, nTest);
      const r = await runDeno([
        "run",
        "-A",
        "scripts/train.ts",
        "--dataset",
        "ecg5000",
        "--data-dir",
        data,
        "--store",
        store,
        ...TRAIN_SMALL,
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /panicked/);
      assert.match(
        r.stderr,
        new RegExp(`error: .*${file.replace(".", "\\.")}: shape \\(0, 140\\)`),
      );
      assert.deepEqual(await filesUnder(join(store, "runs")), [], "no run stored");
    }
  });
});

Deno.test("train --config holding true is refused; a repeated flag is refused (item 13, flags)", async () => {
  await withTempDir(async (dir) => {
    const config = join(dir, "c.json");
    await Deno.writeTextFile(config, "true");
    const store = join(dir, "store");
    const bad = await runDeno([
      "run",
      "-A",
      "scripts/train.ts",
      "--config",
      config,
      "--dataset",
      "synthetic",
      "--store",
      store,
      ...TRAIN_SMALL,
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--config: .*c\.json holds boolean; it must hold a JSON object/);
    const out = join(dir, "x.f32");
    const twice = await runDeno([
      "run",
      "-A",
      "scripts/noise.ts",
      "--alpha",
      "1.5",
      "--n",
      "4",
      "--alpha",
      "1.9",
      "--out",
      out,
    ]);
    assert.equal(twice.code, 2, twice.stderr);
    assert.match(
      twice.stderr,
      /--alpha is given more than once \(--alpha 1\.5, then --alpha 1\.9\)/,
    );
    assert.deepEqual(await listDir(dir), ["c.json"], "nothing written");
  });
});
