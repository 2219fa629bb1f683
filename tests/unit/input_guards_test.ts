/**
 * Hostile but realistic inputs from the audit of issue 24 (items 3, 4, 8–13 and the smaller ones),
 * each refused at the boundary with a message naming the file or flag: empty data splits, label
 * files mapped inconsistently, float64 values beyond float32's range, nested `.npy` headers,
 * inherited-property names as dtypes or flag values, non-object `--config` files, repeated flags.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeNpy, NpyFormatError } from "../../lib/formats/npy.ts";
import { decodeNpy } from "../../lib/formats/npy.ts";
import { readSafetensorsF32, SafetensorsError } from "../../lib/formats/safetensors.ts";
import { type Dataset, loadDataset, syntheticDataset } from "../../lib/data/mod.ts";
import { datasetFor } from "../../lib/data/for_config.ts";
import { loadEcg5000 } from "../../lib/data/ecg5000.ts";
import { train } from "../../lib/train/trainer.ts";
import type { Gpu } from "../../lib/gpu/runtime.ts";
import { parseTrainConfig } from "../../lib/train/config.ts";
import { configFromFlags, TRAIN_FLAGS } from "../../lib/cli/train_flags.ts";
import { parseFlags, parseStrict, parseTaskFlags, UsageError } from "../../lib/cli/args.ts";
import { translateAuthorsFlags } from "../../lib/cli/authors_flags.ts";
import { parseJob } from "../../scripts/noise.ts";
import { recordProblems } from "../../lib/bench/records.ts";
import { ecgValue, SMALL_SYNTHETIC_CONFIG, ucrText, withTempDir } from "../helpers.ts";

/** Heartbeats as float64 (n, 140). */
const beats = (n: number) =>
  Float64Array.from({ length: n * 140 }, (_, k) => ecgValue(Math.floor(k / 140), k % 140));

/** Writes the authors' four ECG5000 `.npy` files into `dir`. */
async function writeEcgNpy(
  dir: string,
  train: { x?: Float64Array; y: number[] },
  test: { x?: Float64Array; y: number[] },
) {
  const put = (name: string, bytes: Uint8Array) => Deno.writeFile(join(dir, name), bytes);
  const nTrain = train.y.length;
  const nTest = test.y.length;
  await put("X_train.npy", encodeNpy(train.x ?? beats(nTrain), [nTrain, 140]));
  await put("y_train.npy", encodeNpy(Float64Array.from(train.y), [nTrain]));
  await put("X_test.npy", encodeNpy(test.x ?? beats(nTest), [nTest, 140]));
  await put("y_test.npy", encodeNpy(Float64Array.from(test.y), [nTest]));
}

const loadEcg = (dir: string) => loadDataset("ecg5000", { dataDir: dir });

// ------------------------------------------------------------------------------------------
// Items 3 and 4: empty splits

Deno.test("ECG5000 .npy: a 0-row training split is refused, naming X_train.npy (item 3)", async () => {
  await withTempDir(async (dir) => {
    await writeEcgNpy(dir, { y: [] }, { y: [1, 2] });
    await assert.rejects(loadEcg(dir), /X_train\.npy: shape \(0, 140\): no examples/);
  });
});

Deno.test("ECG5000 .npy: a 0-row test split is refused, naming X_test.npy (item 4)", async () => {
  await withTempDir(async (dir) => {
    await writeEcgNpy(dir, { y: [1, 2] }, { y: [] });
    await assert.rejects(loadEcg(dir), /X_test\.npy: shape \(0, 140\): no examples/);
  });
});

Deno.test("no loader hands the trainer an empty split: limits of 0, synthetic data, the trainer itself", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "ECG5000_TRAIN.tsv"), ucrText([1, 2, 3], "tsv"));
    await Deno.writeTextFile(join(dir, "ECG5000_TEST.tsv"), ucrText([1, 2], "tsv"));
    await assert.rejects(
      loadDataset("ecg5000", { dataDir: dir, limitTest: 0 }),
      /the test split holds no examples/,
    );
  });
  await assert.rejects(
    datasetFor({ dataset: "synthetic", seed: 1, limitTrain: 0 }),
    /the train split holds no examples/,
  );
  // The trainer checks before touching the GPU (none is passed here).
  const ds = syntheticDataset({ seed: 1, nTrain: 8, nTest: 4 });
  const empty: Dataset = { ...ds, test: { x: new Float32Array(0), y: new Uint8Array(0), n: 0 } };
  const config = parseTrainConfig({ ...SMALL_SYNTHETIC_CONFIG });
  await assert.rejects(
    train(null as unknown as Gpu, config, empty, {}),
    /the test split holds no examples/,
  );
});

// ------------------------------------------------------------------------------------------
// Items 8 and 12: one label mapping for both splits

Deno.test("ECG5000 .npy: the label mapping comes from the training labels and is recorded (item 8)", async () => {
  await withTempDir(async (dir) => {
    // UCR classes 1–5 in training; a test file of 1s is read with the same mapping: 1 → 0.
    await writeEcgNpy(dir, { y: [1, 2, 3, 4, 5] }, { y: [1, 1, 1] });
    const ds = await loadEcg(dir);
    assert.deepEqual([...ds.train.y], [0, 1, 1, 1, 1]);
    assert.deepEqual([...ds.test.y], [0, 0, 0]);
    assert.match(ds.source, /UCR classes binarised 1 → 0, 2–5 → 1 \(decided from y_train\.npy/);
    // 2-class labels in training: a UCR class in the test file is outside that mapping.
    await writeEcgNpy(dir, { y: [0, 1, 1] }, { y: [1, 3] });
    await assert.rejects(
      loadEcg(dir),
      /y_test\.npy: label 3 \(example 1\) is outside the training labels' mapping \(labels 0\/1/,
    );
    // and a 0 in the test file is outside a UCR mapping.
    await writeEcgNpy(dir, { y: [1, 2] }, { y: [0, 1] });
    await assert.rejects(loadEcg(dir), /y_test\.npy: label 0 \(example 0\) is outside/);
    // Training labels all 1 fit both readings: the test labels decide...
    await writeEcgNpy(dir, { y: [1, 1] }, { y: [0, 1] });
    const binary = await loadEcg(dir);
    assert.deepEqual([...binary.train.y], [1, 1]);
    assert.match(binary.source, /labels 0\/1 used as they are/);
    // ...and when they are all 1 too, nothing can tell.
    await writeEcgNpy(dir, { y: [1, 1] }, { y: [1] });
    await assert.rejects(loadEcg(dir), /y_train\.npy: every label here and in y_test\.npy is 1/);
  });
});

Deno.test("ECG5000 .npy: labels {0, 2} get a message naming both (item 12)", async () => {
  await withTempDir(async (dir) => {
    await writeEcgNpy(dir, { y: [0, 2, 0] }, { y: [0] });
    const err = await loadEcg(dir).then(() => undefined, (e: Error) => e);
    assert.ok(err, "labels {0, 2} were accepted");
    assert.doesNotMatch(err.message, /undefined/);
    assert.match(
      err.message,
      /y_train\.npy: labels mix 0 \(example 0; 2-class labels are 0\/1\) with 2 \(example 1;/,
    );
  });
});

// ------------------------------------------------------------------------------------------
// Items 9 and 10: float64 → float32 conversions check the float32 value

Deno.test("ECG5000: a finite <f8 value beyond float32's range is refused, .npy and text (item 9)", async () => {
  await withTempDir(async (dir) => {
    const x = beats(2);
    x[140 + 3] = 1e300;
    await writeEcgNpy(dir, { x, y: [1, 2] }, { y: [1] });
    await assert.rejects(
      loadEcg(dir),
      /X_train\.npy: value 143 \(example 1\) is not finite as a float32 \(1e\+300\)/,
    );
  });
  await withTempDir(async (dir) => {
    const text = ucrText([1, 2], "tsv").replace(/^1\t[^\t]+/, "1\t-1e300");
    await Deno.writeTextFile(join(dir, "ECG5000_TRAIN.tsv"), text);
    await Deno.writeTextFile(join(dir, "ECG5000_TEST.tsv"), ucrText([1], "tsv"));
    await assert.rejects(
      loadEcg(dir),
      /ECG5000_TRAIN\.tsv: line 1: value 1 "-1e300" is not a finite float32 number/,
    );
  });
});

/** A safetensors file holding one tensor `name` of `dtype` with raw `data`. */
function safetensors(name: string, dtype: string, shape: number[], data: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ [name]: { dtype, shape, data_offsets: [0, data.length] } }),
  );
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

Deno.test("safetensors: an F64 weight beyond float32's range is refused, naming file and tensor (item 10)", () => {
  const f64 = new Float64Array([0.5, 1e300]);
  const bytes = safetensors("0.weight", "F64", [1, 2], new Uint8Array(f64.buffer));
  assert.throws(
    () => readSafetensorsF32(bytes, "w.safetensors"),
    (e: Error) =>
      e instanceof SafetensorsError &&
      /^w\.safetensors: tensor "0\.weight": F64 value 1e\+300 \(element 1\) is beyond float32's range/
        .test(e.message),
  );
  // In range it converts (rounded); an explicit F64 infinity is the file's own value, kept.
  const ok = readSafetensorsF32(
    safetensors("0.weight", "F64", [2], new Uint8Array(new Float64Array([0.1, -3e38]).buffer)),
  );
  assert.deepEqual([...ok.tensors[0].data], [Math.fround(0.1), Math.fround(-3e38)]);
});

Deno.test("safetensors: dtypes named like Object members are unknown dtypes (smaller item)", () => {
  for (const dtype of ["toString", "__proto__", "constructor", "hasOwnProperty"]) {
    assert.throws(
      () => readSafetensorsF32(safetensors("w", dtype, [1], new Uint8Array(4)), "m.safetensors"),
      new RegExp(`: m\\.safetensors: tensor "w": unknown dtype "${dtype}" \\(one of BOOL,`),
      dtype,
    );
  }
});

// ------------------------------------------------------------------------------------------
// Item 11: nested .npy headers

/** A v2.0 `.npy` whose header dict is `header` (no data). */
function npyWithHeader(header: string): Uint8Array {
  const text = new TextEncoder().encode(header + "\n");
  const out = new Uint8Array(12 + text.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
  new DataView(out.buffer).setUint32(8, text.length, true);
  out.set(text, 12);
  return out;
}

Deno.test("npy: a deeply nested header is refused, naming the file (item 11)", () => {
  const deep = `{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': ${"[".repeat(200_000)}}`;
  assert.throws(
    () => decodeNpy(npyWithHeader(deep), "X_train.npy"),
    (e: Error) =>
      e instanceof NpyFormatError &&
      /^X_train\.npy: header nests deeper than 32 levels/.test(e.message),
  );
  // numpy's own nesting (a dict holding a tuple) still reads; inherited names are no keys.
  const ok = decodeNpy(
    npyWithHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }`),
    "ok.npy",
  );
  assert.deepEqual(ok.shape, [0, 2]);
  assert.throws(
    () => decodeNpy(npyWithHeader(`{'__proto__': {'descr': '<f4'}, 'shape': ()}`), "p.npy"),
    /p\.npy: header has no 'descr'/,
  );
});

// ------------------------------------------------------------------------------------------
// Item 13 and the flags

Deno.test("--config holding true, null, a number, a string or an array is refused (item 13)", async () => {
  await withTempDir(async (dir) => {
    for (
      const [text, what] of [
        ["true", "boolean"],
        ["null", "null"],
        ["42", "number"],
        ['"x"', "string"],
        ["[1]", "an array"],
      ]
    ) {
      const path = join(dir, "c.json");
      await Deno.writeTextFile(path, text);
      await assert.rejects(
        configFromFlags({ config: path }),
        (e: Error) =>
          e instanceof UsageError &&
          e.message === `--config: ${path} holds ${what}; it must hold a JSON object of config ` +
              `fields`,
        text,
      );
    }
    await Deno.writeTextFile(join(dir, "c.json"), '{"width": 7}');
    assert.equal((await configFromFlags({ config: join(dir, "c.json") })).width, 7);
  });
});

Deno.test("a repeated flag is refused (except flags declared multiple); every script parses through it", () => {
  assert.throws(
    () => parseTaskFlags(["--width", "8", "--lr", "0.1", "--width=16"], TRAIN_FLAGS, "usage"),
    (e: Error) =>
      e instanceof UsageError &&
      e.message.startsWith("--width is given more than once (--width 8, then --width 16)"),
  );
  assert.throws(() => parseFlags(["k", "--store", "a", "--store", "a"], TRAIN_FLAGS, "u"));
  const filters = parseStrict(["--filter", "a=1", "--filter", "b=2"], {
    filter: { type: "string", multiple: true },
  });
  assert.deepEqual(filters.values.filter, ["a=1", "b=2"]);
  // The authors' aliases land on the same flag: --iterations and --max-steps together clash.
  const authors = translateAuthorsFlags(["--iterations", "5", "--max-steps", "6"]).args;
  assert.throws(() => parseTaskFlags(authors, TRAIN_FLAGS, "u"), /--max-steps is given more/);
});

Deno.test("flag values and names that are Object members are not table entries (smaller item)", async () => {
  // --noise-type toString / --type constructor were read as the inherited function.
  await assert.rejects(
    configFromFlags({ "noise-type": "toString" }),
    /--noise-type: "toString" is not one of 0, 1, 2, 3, I, II, III/,
  );
  assert.throws(
    () => parseJob(["--type", "constructor", "--alpha", "1.5", "--n", "4", "--out", "x"]),
    /--type: "constructor" is not one of I, II, III/,
  );
  // An authors' alias table lookup: --constructor is no alias (left for the strict parser).
  assert.deepEqual(translateAuthorsFlags(["--constructor", "1"]).args, ["--constructor", "1"]);
});

Deno.test("benchmark records: a kind named like an Object member is an unknown kind (smaller item)", () => {
  for (const kind of ["toString", "constructor"]) {
    assert.deepEqual(recordProblems({ kind, impl: "ours" }), [`unknown kind ${kind}`]);
  }
});

Deno.test("an ECG5000 .npy split or a --config linked to /dev/zero is refused unread (item 5's pattern)", async () => {
  await withTempDir(async (dir) => {
    await writeEcgNpy(dir, { y: [1, 2] }, { y: [1, 2] });
    await Deno.remove(join(dir, "X_train.npy"));
    await Deno.symlink("/dev/zero", join(dir, "X_train.npy"));
    // The locator only lists regular files; a caller handing the loader paths gets the same check.
    const files = Object.fromEntries(
      ["xTrain", "yTrain", "xTest", "yTest"].map((k, i) => [
        k,
        join(dir, ["X_train", "y_train", "X_test", "y_test"][i] + ".npy"),
      ]),
    ) as { xTrain: string; yTrain: string; xTest: string; yTest: string };
    await assert.rejects(
      loadEcg5000({ kind: "npy", files }),
      /X_train\.npy: .*must be a regular file.*character device/,
    );
    const config = join(dir, "c.json");
    await Deno.symlink("/dev/zero", config);
    await assert.rejects(
      configFromFlags({ config }),
      (e: Error) => e instanceof UsageError && /c\.json.*must be a regular file/.test(e.message),
    );
  });
});
