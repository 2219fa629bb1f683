/**
 * Issue #24, items 5 and 15 and the "it is recomputed" message: every file the store reads is a
 * regular file within a size limit (a record.json, weights.htt or checkpoint linked to /dev/zero,
 * /dev/urandom or a FIFO, or a huge sparse file, is refused at once, naming it), and a record is
 * created only if absent (of several writers of one key, exactly one succeeds).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ResultStore, RunExistsError, type RunRecord } from "../../lib/store/results.ts";
import { writeFileIfAbsent } from "../../lib/store/atomic.ts";
import { readFileBounded, readTextFileBounded } from "../../lib/store/bounded_read.ts";
import { withTempDir } from "../helpers.ts";

function record(key: string, metrics: Record<string, unknown> = { acc: 1 }): RunRecord {
  return { key, config: { k: 1 }, codeVersion: "test", createdAt: "t", metrics };
}

/** Asserts `p` rejects with a message naming `path` and matching `re`. */
async function refuses(p: Promise<unknown>, path: string, re: RegExp) {
  await assert.rejects(p, (err: Error) => {
    assert.ok(err.message.includes(path), `names ${path}: ${err.message}`);
    assert.match(err.message, re);
    return true;
  });
}

const hasDevZero = (() => {
  try {
    return Deno.statSync("/dev/zero").isCharDevice === true;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "store files linked to /dev/zero or /dev/urandom are refused at once, naming the file",
  ignore: !hasDevZero,
  fn: async () => {
    await withTempDir(async (dir) => {
      const store = new ResultStore(dir);
      await store.put("k", record("k"), { W0: new Float32Array([1, 2]) });
      await store.saveCheckpoint("k", { step: 1 }, { W0: new Float32Array([1]) });
      await Deno.remove(store.recordPath("k"));
      await Deno.symlink("/dev/zero", store.recordPath("k"));
      await refuses(store.get("k"), store.recordPath("k"), /regular file.*character device/);
      await Deno.remove(store.weightsPath("k"));
      await Deno.symlink("/dev/urandom", store.weightsPath("k"));
      await refuses(store.getTensors("k"), store.weightsPath("k"), /character device/);
      await Deno.remove(store.checkpointPath("k"));
      await Deno.symlink("/dev/zero", store.checkpointPath("k"));
      await refuses(store.loadCheckpoint("k"), store.checkpointPath("k"), /character device/);
    });
  },
});

Deno.test({
  name: "a record.json that is a FIFO is refused without opening it (opening would block)",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withTempDir(async (dir) => {
      const store = new ResultStore(dir);
      await Deno.mkdir(store.runDir("k"), { recursive: true });
      const made = await new Deno.Command("mkfifo", { args: [store.recordPath("k")] }).output()
        .catch(() => undefined);
      if (!made?.success) return; // no mkfifo here
      await refuses(store.get("k"), store.recordPath("k"), /FIFO/);
    });
  },
});

Deno.test("a record.json or weights.htt over its size limit is refused without reading it", async () => {
  await withTempDir(async (dir) => {
    const store = new ResultStore(dir);
    await Deno.mkdir(store.runDir("k"), { recursive: true });
    // Sparse: 300 MiB of holes (no disk used), over the 256 MiB limit of a record.
    const file = await Deno.open(store.recordPath("k"), { write: true, create: true });
    await file.truncate(300 * 2 ** 20);
    file.close();
    await refuses(store.get("k"), store.recordPath("k"), /300 MiB, over the 256 MiB limit/);
    const w = await Deno.open(store.weightsPath("k"), { write: true, create: true });
    await w.truncate(9 * 2 ** 30); // 9 GiB of holes
    w.close();
    await refuses(store.getTensors("k"), store.weightsPath("k"), /9 GiB, over the 8 GiB limit/);
  });
});

Deno.test("readFileBounded: reads whole regular files; a folder or a missing file are errors", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.bin");
    const bytes = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251);
    await Deno.writeFile(path, bytes);
    assert.deepEqual(await readFileBounded(path, bytes.length), bytes);
    await refuses(readFileBounded(path, bytes.length - 1), path, /over the .* limit/);
    await Deno.writeTextFile(join(dir, "t.json"), '{"a": "é"}');
    assert.equal(await readTextFileBounded(join(dir, "t.json")), '{"a": "é"}');
    await refuses(readFileBounded(dir, 10, "a grid file"), dir, /a grid file must be .*a folder/);
    await assert.rejects(readFileBounded(join(dir, "none"), 10), Deno.errors.NotFound);
    assert.deepEqual(
      await readFileBounded(join(dir, "t.json"), 100, "x"),
      await Deno.readFile(join(dir, "t.json")),
    );
  });
});

Deno.test("concurrent puts of one key: exactly one creates the record, the others get RunExistsError", async () => {
  await withTempDir(async (dir) => {
    const store = new ResultStore(dir);
    const tries = Array.from(
      { length: 8 },
      (_, i) =>
        store.put("k", { ...record("k"), createdAt: `writer ${i}` }, {
          W0: new Float32Array([1, 2, 3]),
        }),
    );
    const results = await Promise.allSettled(tries);
    const created = results.filter((r) => r.status === "fulfilled");
    assert.equal(created.length, 1, "one writer creates the record");
    for (const r of results) {
      if (r.status === "rejected") assert.ok(r.reason instanceof RunExistsError, r.reason);
    }
    const winner = results.findIndex((r) => r.status === "fulfilled");
    assert.equal((await store.get("k"))!.createdAt, `writer ${winner}`, "nobody overwrote it");
    assert.deepEqual([...(await store.getTensors("k")).W0], [1, 2, 3]);
    assert.deepEqual(
      [...Deno.readDirSync(store.runDir("k"))].map((e) => e.name).sort(),
      ["record.json", "weights.htt"],
      "no temp files left",
    );
  });
});

Deno.test("writeFileIfAbsent creates once and never replaces", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "sub", "f.txt");
    const outcomes = await Promise.all(["a", "b", "c"].map((t) => writeFileIfAbsent(path, t)));
    assert.deepEqual(outcomes.filter((c) => c).length, 1);
    const text = await Deno.readTextFile(path);
    assert.equal(outcomes[["a", "b", "c"].indexOf(text)], true, "the content is the creator's");
    assert.equal(await writeFileIfAbsent(path, "d"), false);
    assert.equal(await Deno.readTextFile(path), text);
    assert.deepEqual([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name), ["f.txt"]);
  });
});

Deno.test("a record without a checksum: the error says it cannot be verified, not that it is recomputed", async () => {
  await withTempDir(async (dir) => {
    const store = new ResultStore(dir);
    await Deno.mkdir(store.runDir("old"), { recursive: true });
    await Deno.writeTextFile(store.recordPath("old"), JSON.stringify(record("old")));
    await assert.rejects(store.get("old"), (err: Error) => {
      assert.ok(err.message.includes(store.recordPath("old")));
      assert.match(err.message, /no recordSha256 checksum .*cannot be verified/);
      assert.doesNotMatch(err.message, /recomputed/);
      return true;
    });
  });
});
