import assert from "node:assert/strict";
import { join } from "node:path";
import { canonicalJson, CanonicalJsonError, configKey } from "../../lib/store/hash.ts";
import {
  isTempName,
  WriteError,
  writeFileAtomic,
  writeJsonAtomic,
} from "../../lib/store/atomic.ts";
import { CorruptFileError, decodeTensors, encodeTensors } from "../../lib/store/tensors.ts";
import {
  ForeignFileError,
  MalformedRecordError,
  ResultStore,
  RunExistsError,
  type RunRecord,
  UnverifiedRecordError,
} from "../../lib/store/results.ts";
import { codeVersion, gitDescribe, hashSources } from "../../lib/store/version.ts";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("canonicalJson sorts keys at every level and drops undefined properties", () => {
  const a = { b: 1, a: { y: [1, { q: 2, p: 1 }], x: "s" }, u: undefined };
  const b = { a: { x: "s", y: [1, { p: 1, q: 2 }] }, b: 1 };
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(canonicalJson(b), '{"a":{"x":"s","y":[1,{"p":1,"q":2}]},"b":1}');
  assert.equal(
    canonicalJson({ n: 0.1 + 0.2, e: 1e21, z: -0 }),
    '{"e":1e+21,"n":0.30000000000000004,"z":0}',
  );
});

Deno.test("canonicalJson rejects values without a canonical form, naming where", () => {
  assert.throws(() => canonicalJson({ lr: NaN }), /\$\.lr: NaN/);
  assert.throws(() => canonicalJson({ a: [1, undefined] }), /\$\.a\[1\]: undefined/);
  assert.throws(() => canonicalJson({ f: () => 1 }), CanonicalJsonError);
  assert.throws(() => canonicalJson({ m: new Map() }), /Map/);
  assert.throws(() => canonicalJson({ t: new Float32Array(2) }), /Float32Array/);
  assert.throws(() => canonicalJson(10n), /bigint/);
});

Deno.test("configKey ignores key order but not values or the code version", () => {
  const cfg = { lr: 0.1, depth: 3, noise: { alpha: 1.5, scale: 0.01 } };
  const key = configKey(cfg, "v1");
  assert.match(key, /^[0-9a-f]{16}$/);
  assert.equal(configKey({ noise: { scale: 0.01, alpha: 1.5 }, depth: 3, lr: 0.1 }, "v1"), key);
  assert.notEqual(configKey({ ...cfg, lr: 0.10000001 }, "v1"), key);
  assert.notEqual(configKey({ ...cfg, noise: { alpha: 1.6, scale: 0.01 } }, "v1"), key);
  assert.notEqual(configKey(cfg, "v2"), key);
  assert.notEqual(configKey({ ...cfg, extra: null }, "v1"), key);
  assert.notEqual(configKey([1, 2], "v1"), configKey([2, 1], "v1"));
});

function sampleFile(): Uint8Array {
  return encodeTensors({ step: 7, note: "checkpoint", nested: { lr: 0.05 } }, {
    W0: { data: new Float32Array([1.5, -2, Math.PI, 0, -0, 1e-30]), shape: [2, 3] },
    idx: new Uint32Array([1, 2, 3, 4294967295, 5]),
    empty: new Float32Array(0),
    emptyShaped: { data: new Uint32Array(0), shape: [0, 4] },
  });
}

Deno.test("tensor container round-trips values, dtypes, shapes, meta and order", () => {
  const bytes = sampleFile();
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), "HTSGDT01");
  // Decoding from an unaligned view of the bytes must work too.
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  for (const input of [bytes, shifted.subarray(1)]) {
    const { meta, tensors, shapes } = decodeTensors(input);
    assert.deepEqual(meta, { step: 7, note: "checkpoint", nested: { lr: 0.05 } });
    assert.deepEqual(Object.keys(tensors), ["W0", "idx", "empty", "emptyShaped"]);
    assert.ok(tensors.W0 instanceof Float32Array);
    assert.deepEqual([...tensors.W0], [...new Float32Array([1.5, -2, Math.PI, 0, -0, 1e-30])]);
    assert.ok(Object.is(tensors.W0[4], -0));
    assert.ok(tensors.idx instanceof Uint32Array);
    assert.deepEqual([...tensors.idx], [1, 2, 3, 4294967295, 5]);
    assert.equal(tensors.empty.length, 0);
    assert.ok(tensors.emptyShaped instanceof Uint32Array);
    assert.deepEqual(shapes, { W0: [2, 3], idx: [5], empty: [0], emptyShaped: [0, 4] });
  }
  // Payload starts 4-byte aligned.
  const headerLength = new DataView(bytes.buffer).getUint32(8, true);
  assert.equal((bytes.length - (Math.ceil((12 + headerLength) / 4) * 4)) % 4, 0);
  // Encoding is deterministic.
  assert.deepEqual(sampleFile(), bytes);
});

Deno.test("tensor container rejects bad shapes and non-tensor data", () => {
  assert.throws(
    () => encodeTensors({}, { w: { data: new Float32Array(5), shape: [2, 3] } }),
    /tensor "w": shape \[2,3\] does not match 5 elements/,
  );
  assert.throws(
    () => encodeTensors({}, { w: new Float64Array(2) as unknown as Float32Array }),
    /tensor "w": data must be/,
  );
});

Deno.test("every single-bit flip, truncation or extension of a tensor file is an error", () => {
  const bytes = sampleFile();
  for (let i = 0; i < bytes.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const bad = bytes.slice();
      bad[i] ^= bit;
      assert.throws(() => decodeTensors(bad, "ckpt.htt"), CorruptFileError, `byte ${i} bit ${bit}`);
    }
  }
  for (const len of [0, 7, 11, 12, 40, bytes.length - 4, bytes.length - 1]) {
    assert.throws(() => decodeTensors(bytes.slice(0, len), "ckpt.htt"), /ckpt\.htt: /);
  }
  const longer = new Uint8Array(bytes.length + 4);
  longer.set(bytes);
  assert.throws(() => decodeTensors(longer, "ckpt.htt"), /trailing bytes/);
  const flipped = bytes.slice();
  flipped[bytes.length - 1] ^= 1;
  assert.throws(() => decodeTensors(flipped, "ckpt.htt"), /checksum mismatch/);
});

Deno.test("writeFileAtomic writes, replaces and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sub", "a.json");
    await writeJsonAtomic(path, { v: 1 });
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { v: 1 });
    await writeFileAtomic(path, new TextEncoder().encode("second"));
    assert.equal(await Deno.readTextFile(path), "second");
    await Promise.all([0, 1, 2, 3].map((i) => writeFileAtomic(path, `w${i}`)));
    assert.match(await Deno.readTextFile(path), /^w[0-3]$/);
    assert.deepEqual(await names(join(dir, "sub")), ["a.json"]);
    assert.ok(isTempName(".a.json.123.0123456789ab.tmp"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failed atomic write names the path, keeps the old file and removes its temp", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The destination is a folder: the temp file is written, the rename fails.
    const asDir = join(dir, "target");
    await Deno.mkdir(join(asDir, "inner"), { recursive: true });
    await assert.rejects(writeFileAtomic(asDir, "x"), (err: Error) => {
      assert.ok(err instanceof WriteError);
      assert.ok(err.message.includes(asDir), err.message);
      return true;
    });
    assert.deepEqual(await names(dir), ["target"]);
    // The parent is a file: mkdir fails.
    await Deno.writeTextFile(join(dir, "plain"), "p");
    await assert.rejects(writeFileAtomic(join(dir, "plain", "x.json"), "x"), /plain\/x\.json/);
    // Unserialisable JSON.
    await assert.rejects(writeJsonAtomic(join(dir, "b.json"), { n: 1n }), WriteError);
    assert.deepEqual(await names(dir), ["plain", "target"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writing into a read-only folder fails cleanly (skipped when chmod cannot deny root)", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "keep.txt");
  try {
    await Deno.writeTextFile(path, "old");
    await Deno.chmod(dir, 0o555);
    let chmodEffective = false;
    try {
      await Deno.writeTextFile(join(dir, "probe"), "x");
      await Deno.remove(join(dir, "probe"));
    } catch (err) {
      chmodEffective = err instanceof Deno.errors.PermissionDenied;
    }
    if (!chmodEffective) {
      console.log("  (running with privileges that ignore chmod: read-only check skipped)");
      return;
    }
    await assert.rejects(writeFileAtomic(path, "new"), (err: Error) => {
      assert.ok(err instanceof WriteError);
      assert.match(err.message, /keep\.txt \(permission denied/);
      return true;
    });
    assert.equal(await Deno.readTextFile(path), "old");
    assert.deepEqual(await names(dir), ["keep.txt"]);
  } finally {
    await Deno.chmod(dir, 0o755);
    await Deno.remove(dir, { recursive: true });
  }
});

function record(key: string, metrics: Record<string, unknown> = { acc: 0.9 }): RunRecord {
  return {
    key,
    config: { lr: 0.1, seed: 1 },
    codeVersion: "abc",
    createdAt: "2026-01-01T00:00:00.000Z",
    metrics,
    host: { deno: "2.9.6" },
  };
}

Deno.test("ResultStore put/get/has/list and stored tensors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    assert.equal(await store.has("k1"), false);
    assert.equal(await store.get("k1"), undefined);
    assert.deepEqual(await store.list(), []);
    const w = new Float32Array([1, 2, 3, 4]);
    await store.put("k2", record("k2", { acc: 0.5, history: [1, 2] }), {
      W0: { data: w, shape: [2, 2] },
    });
    await store.put("k1", record("k1"));
    assert.equal(await store.has("k2"), true);
    const { recordSha256, ...got } = (await store.get("k2"))!;
    assert.deepEqual(got, record("k2", { acc: 0.5, history: [1, 2] }));
    assert.match(recordSha256!, /^[0-9a-f]{64}$/);
    assert.deepEqual([...(await store.getTensors("k2")).W0], [1, 2, 3, 4]);
    assert.deepEqual((await store.getShapedTensors("k2")).shapes.W0, [2, 2]);
    await assert.rejects(store.getTensors("k1"), /no stored tensors/);
    // An unfinished run (weights but no record) is not listed.
    await Deno.mkdir(join(dir, "runs", "k0"), { recursive: true });
    await Deno.writeFile(join(dir, "runs", "k0", "weights.htt"), encodeTensors({}, {}));
    assert.deepEqual((await store.list()).map((r) => r.key), ["k1", "k2"]);
    assert.equal(await store.has("k0"), false);
    assert.deepEqual(await names(join(dir, "runs", "k2")), ["record.json", "weights.htt"]);
    // Finished runs are never overwritten; keys are checked.
    await assert.rejects(store.put("k1", record("k1")), RunExistsError);
    await assert.rejects(store.put("k3", record("k4")), /does not match/);
    await assert.rejects(store.get("../etc"), /bad result key/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResultStore reports a malformed record.json by path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    await Deno.mkdir(store.runDir("bad"), { recursive: true });
    await Deno.writeTextFile(store.recordPath("bad"), "{ not json");
    await assert.rejects(store.get("bad"), (err: Error) => {
      assert.ok(err instanceof MalformedRecordError);
      assert.ok(err.message.includes(store.recordPath("bad")));
      return true;
    });
    await Deno.writeTextFile(
      store.recordPath("bad"),
      JSON.stringify({ ...record("bad"), metrics: 3 }),
    );
    await assert.rejects(store.get("bad"), /record\.json: malformed run record \(metrics: /);
    await Deno.writeTextFile(store.recordPath("bad"), JSON.stringify(record("other")));
    await assert.rejects(store.get("bad"), /key is "other"/);
    await assert.rejects(store.list(), MalformedRecordError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResultStore checkpoints save, replace, load, detect corruption and clear", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    assert.equal(await store.loadCheckpoint("run"), undefined);
    await store.clearCheckpoint("run"); // clearing nothing is fine
    await store.saveCheckpoint("run", { step: 10 }, { W0: new Float32Array([1, 2]) });
    await store.saveCheckpoint("run", { step: 20 }, { W0: new Float32Array([3, 4]) });
    const cp = await store.loadCheckpoint("run");
    assert.deepEqual(cp?.meta, { step: 20 });
    assert.deepEqual([...cp!.tensors.W0], [3, 4]);
    assert.deepEqual(await names(join(dir, "checkpoints")), ["run.htt"]);
    const bytes = await Deno.readFile(store.checkpointPath("run"));
    await Deno.writeFile(store.checkpointPath("run"), bytes.subarray(0, bytes.length - 3));
    await assert.rejects(store.loadCheckpoint("run"), /run\.htt: truncated/);
    await store.clearCheckpoint("run");
    assert.equal(await store.loadCheckpoint("run"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hashSources follows the kernels and the numeric core only", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "kernels"));
    await Deno.mkdir(join(root, "lib", "model"), { recursive: true });
    await Deno.mkdir(join(root, "lib", "figures", "common"), { recursive: true });
    await Deno.writeTextFile(join(root, "kernels", "a.wgsl"), "fn a() {}");
    await Deno.writeTextFile(join(root, "lib", "model", "b.ts"), "export const b = 1;");
    await Deno.writeTextFile(join(root, "lib", "figures", "common", "caption.ts"), "// one");
    const v1 = hashSources(root);
    assert.match(v1, /^[0-9a-f]{16}$/);
    await Deno.writeTextFile(join(root, "lib", "notes.md"), "ignored");
    await Deno.writeTextFile(join(root, "README.ts"), "outside lib: ignored");
    // Presentation code (a layer above the numbers in lib/layers.ts) never re-keys a run.
    await Deno.writeTextFile(join(root, "lib", "figures", "common", "caption.ts"), "// two");
    await Deno.writeTextFile(join(root, "lib", "figures", "new.ts"), "// a new figure");
    assert.equal(hashSources(root), v1);
    await Deno.writeTextFile(join(root, "lib", "model", "b.ts"), "export const b = 2;");
    const v2 = hashSources(root);
    assert.notEqual(v2, v1);
    await Deno.rename(join(root, "lib", "model", "b.ts"), join(root, "lib", "model", "c.ts"));
    const v3 = hashSources(root);
    assert.notEqual(v3, v2);
    await Deno.writeTextFile(join(root, "kernels", "a.wgsl"), "fn a() { }");
    assert.notEqual(hashSources(root), v3);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("codeVersion is cached and gitDescribe is best effort", async () => {
  const v = codeVersion();
  assert.match(v, /^[0-9a-f]{16}$/);
  assert.equal(codeVersion(), v);
  const described = await gitDescribe();
  assert.ok(described === undefined || /^[0-9A-Za-z._-]+$/.test(described), described);
  assert.equal(await gitDescribe("/nonexistent-htsgd-root"), undefined);
});

Deno.test("a record with one flipped digit is refused, naming the file (checksum)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    await store.put("k", record("k", { acc: 0.9125 }));
    const text = await Deno.readTextFile(store.recordPath("k"));
    await Deno.writeTextFile(store.recordPath("k"), text.replace("0.9125", "0.9725"));
    await assert.rejects(store.get("k"), (err: Error) => {
      assert.ok(err instanceof MalformedRecordError);
      assert.match(err.message, /checksum mismatch/);
      assert.ok(err.message.includes(store.recordPath("k")));
      return true;
    });
    await assert.rejects(store.getVerified("k"), /checksum mismatch/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a record without a checksum (older version) is moved aside and recomputed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    await Deno.mkdir(store.runDir("old"), { recursive: true });
    await Deno.writeTextFile(store.recordPath("old"), JSON.stringify(record("old")));
    await assert.rejects(store.get("old"), UnverifiedRecordError);
    const lines: string[] = [];
    assert.equal(await store.getVerified("old", (l) => lines.push(l)), undefined);
    assert.equal(await store.has("old"), false);
    assert.match(lines[0], /no checksum/);
    assert.ok((await names(join(dir, "runs"))).some((n) => n.startsWith("old.unverified-")));
    await store.put("old", record("old")); // recomputed: stored afresh, with a checksum
    assert.equal((await store.getVerified("old"))?.key, "old");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("weights.htt copied from another run is refused: its header names the other key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    const W = (v: number) => ({ W0: new Float32Array([v, v]) });
    await store.put("a", record("a"), W(1));
    await store.put("b", record("b"), W(2));
    await Deno.copyFile(store.weightsPath("a"), store.weightsPath("b"));
    await assert.rejects(store.getTensors("b"), (err: Error) => {
      assert.ok(err instanceof ForeignFileError);
      assert.ok(err.message.startsWith(`${store.weightsPath("b")}: its header names run "a"`));
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a checkpoint records its key and config; one from another run is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    const t = { W0: new Float32Array([1, 2]) };
    await store.saveCheckpoint("a", { step: 5 }, t, { lr: 0.1 });
    const cp = await store.loadCheckpoint("a", { lr: 0.1 });
    assert.deepEqual(cp?.meta, { step: 5 });
    await assert.rejects(store.loadCheckpoint("a", { lr: 0.2 }), /another config/);
    await Deno.copyFile(store.checkpointPath("a"), store.checkpointPath("b"));
    await assert.rejects(store.loadCheckpoint("b", { lr: 0.1 }), (err: Error) => {
      assert.ok(err instanceof ForeignFileError);
      assert.ok(err.message.startsWith(store.checkpointPath("b")));
      assert.match(err.message, /names run "a"/);
      return true;
    });
    // An old checkpoint (bare state, no key) is refused too.
    await Deno.writeFile(store.checkpointPath("c"), encodeTensors({ step: 5 }, t));
    await assert.rejects(store.loadCheckpoint("c"), /records no run key/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a record.json linked to a foreign file is reported by path, without its bytes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new ResultStore(dir);
    const secret = join(dir, "secret.txt");
    await Deno.writeTextFile(secret, "TOKEN=hunter2 not json");
    await Deno.mkdir(store.runDir("k"), { recursive: true });
    await Deno.symlink(secret, store.recordPath("k"));
    await assert.rejects(store.get("k"), (err: Error) => {
      assert.ok(err.message.includes(store.recordPath("k")));
      assert.ok(!err.message.includes("hunter2") && !err.message.includes("TOKEN"), err.message);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
