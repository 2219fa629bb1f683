/**
 * Sharded sweeps: shard parsing and assignment, grid files, job templates, merging stores, and
 * three shard processes whose merged store equals a single process's.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../lib/cli/args.ts";
import { expandGrid, expandGridText, GridError, parseGrid } from "../../lib/shard/grid.ts";
import {
  firstDifference,
  loadStoredRun,
  mergeStores,
  runDifference,
  type StoredRun,
} from "../../lib/shard/merge.ts";
import {
  assignmentKey,
  filterShard,
  inShard,
  parseShard,
  shardIndexOf,
  shardSizes,
  shareOf,
} from "../../lib/shard/shard.ts";
import {
  EXAMPLE_FILES,
  EXAMPLE_K8S,
  EXAMPLE_SLURM,
  k8sJobManifest,
  renderK8s,
  renderSlurm,
  sweepArgv,
  TemplateError,
  toYaml,
} from "../../lib/shard/templates.ts";
import { isTempName, writeFileAtomic } from "../../lib/store/atomic.ts";
import { sha256Hex } from "../../lib/store/hash.ts";
import { ResultStore, type RunRecord } from "../../lib/store/results.ts";
import { runDeno, SMALL_SYNTHETIC_CONFIG } from "../helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// ---------------------------------------------------------------------------------------------
// Shards

Deno.test("parseShard reads 0-based k/N and names --shard in every error", () => {
  assert.deepEqual(parseShard("0/1"), { index: 0, count: 1 });
  assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
  assert.deepEqual(parseShard(" 7/8 "), { index: 7, count: 8 });
  for (
    const [bad, why] of [
      ["3/3", /0-based.*0\.\.2.*did you mean 2\/3/],
      ["5/3", /0\.\.2/],
      ["1/0", /count N must be in 1\.\./],
      ["-1/3", /not of the form k\/N/],
      ["1", /not of the form k\/N/],
      ["1/2/3", /not of the form/],
      ["a/b", /not of the form/],
      ["1.5/3", /not of the form/],
      ["", /not of the form/],
    ] as const
  ) {
    assert.throws(() => parseShard(bad), (err: Error) => {
      assert.ok(err instanceof UsageError, bad);
      assert.match(err.message, /^--shard: /);
      assert.match(err.message, why);
      return true;
    });
  }
  assert.throws(() => parseShard("9/9", "--part"), /UsageError: --part: /);
});

/** Deterministic pseudo-random hex keys. */
function keys(n: number, salt = "k"): string[] {
  return Array.from({ length: n }, (_, i) => sha256Hex(`${salt}${i}`).slice(0, 16));
}

Deno.test("every key lands in exactly one shard, by its first 32 bits mod N", () => {
  assert.equal(shardIndexOf("0000000a00000000", 4), 2);
  assert.equal(shardIndexOf("ffffffff", 7), 0xffffffff % 7);
  assert.ok(inShard("0000000a", { index: 2, count: 4 }));
  assert.throws(() => shardIndexOf("xyz", 3), /8 hex digits/);
  const all = keys(600);
  for (const count of [1, 2, 3, 5, 8, 13]) {
    const owners = all.map((k) =>
      Array.from({ length: count }, (_, index) => inShard(k, { index, count }))
        .filter(Boolean).length
    );
    assert.ok(owners.every((n) => n === 1), `N=${count}`);
    const parts = Array.from(
      { length: count },
      (_, index) => filterShard(all, (k) => k, { index, count }),
    );
    assert.deepEqual(parts.flat().sort(), [...all].sort());
    assert.deepEqual(parts.map((p) => p.length), shardSizes(all, count));
  }
  // Filtering keeps the original order.
  const share = filterShard(all, (k) => k, { index: 1, count: 3 });
  assert.deepEqual(share, all.filter((k) => share.includes(k)));
});

Deno.test("hash assignment is roughly uniform; balanced assignment is even and partitions", () => {
  const many = keys(6000, "u");
  const sizes = shardSizes(many, 6);
  for (const s of sizes) assert.ok(Math.abs(s - 1000) < 150, `sizes ${sizes}`);
  const few = keys(45, "g");
  for (const count of [2, 4, 8, 45, 50]) {
    const parts = Array.from(
      { length: count },
      (_, index) => shareOf(few, (k) => k, { index, count }, "balanced"),
    );
    assert.deepEqual(parts.flat().sort(), [...few].sort());
    const lens = parts.map((p) => p.length);
    assert.ok(Math.max(...lens) - Math.min(...lens) <= 1, `N=${count}: ${lens}`);
  }
  // Balanced shares depend on the grid only, not on item order.
  const shuffled = [...few].reverse();
  assert.deepEqual(
    shareOf(shuffled, (k) => k, { index: 1, count: 4 }, "balanced").sort(),
    shareOf(few, (k) => k, { index: 1, count: 4 }, "balanced").sort(),
  );
});

Deno.test("the assignment key depends on the config only, not on key order", () => {
  const a = assignmentKey({ width: 16, noise: { type: 1, alpha: 1.5 } });
  assert.equal(a, assignmentKey({ noise: { alpha: 1.5, type: 1 }, width: 16 }));
  assert.notEqual(a, assignmentKey({ width: 17, noise: { type: 1, alpha: 1.5 } }));
  assert.match(a, /^[0-9a-f]{16}$/);
});

// ---------------------------------------------------------------------------------------------
// Grids

const BASE = { ...SMALL_SYNTHETIC_CONFIG, limitTrain: 200, limitTest: 100 };

Deno.test("a grid expands to the cartesian product, first axis slowest, each a valid config", () => {
  const { points, duplicates, grid } = expandGrid(
    parseGrid({ base: BASE, axes: { seed: [1, 2, 3], "noise.alpha": [1.5, 1.9] } }),
  );
  assert.equal(grid.mceError, 0.1);
  assert.equal(duplicates, 0);
  assert.deepEqual(points.map((p) => [p.config.seed, p.config.noise.alpha]), [
    [1, 1.5],
    [1, 1.9],
    [2, 1.5],
    [2, 1.9],
    [3, 1.5],
    [3, 1.9],
  ]);
  assert.deepEqual(points.map((p) => p.index), [0, 1, 2, 3, 4, 5]);
  assert.equal(points[3].label, "seed=2 noise.alpha=1.9");
  assert.deepEqual(points[3].values, { seed: 2, "noise.alpha": 1.9 });
  assert.equal(new Set(points.map((p) => p.configKey)).size, 6);
  assert.equal(points[0].config.noise.sigma, 0.2, "untouched base fields stay");
  // No axes: the base alone.
  assert.equal(expandGrid(parseGrid({ base: BASE })).points.length, 1);
  // SGD points at different α are one config after canonicalisation: run once.
  const sgd = expandGrid(
    parseGrid({ base: BASE, axes: { "noise.type": [0, 1], "noise.alpha": [1.5, 1.9] } }),
  );
  assert.equal(sgd.points.length, 3);
  assert.equal(sgd.duplicates, 1);
  // A whole-object axis.
  const whole = expandGrid(parseGrid({
    base: BASE,
    axes: { noise: [{ type: 2, alpha: 1.7, sigma: 0.1 }, { type: 0, alpha: 2, sigma: 0 }] },
  }));
  assert.deepEqual(whole.points.map((p) => p.config.noise.type), [2, 0]);
});

Deno.test("grid errors name the field, the grid point and the file", () => {
  const bad = (candidate: unknown, pattern: RegExp) =>
    assert.throws(() => expandGrid(parseGrid(candidate, "g.json"), "g.json"), (err: Error) => {
      assert.ok(err instanceof GridError, err.message);
      assert.match(err.message, /^g\.json: /);
      assert.match(err.message, pattern);
      return true;
    });
  bad({ axes: {} }, /base: required/);
  bad({ base: BASE, axis: {} }, /unrecognized key.*axis|axis/i);
  bad({ base: BASE, axes: { seed: [] } }, /axes\.seed: an axis needs at least one value/);
  bad({ base: BASE, axes: { seed: 3 } }, /axes\.seed: /);
  bad({ base: BASE, axes: { sed: [1] } }, /axes\.sed: unknown config field "sed"/);
  bad({ base: BASE, axes: { "noise.alhpa": [1] } }, /unknown noise field "alhpa"/);
  bad({ base: BASE, mceError: 2 }, /mceError: /);
  bad({ base: BASE, axes: { "noise.alpha": [1.5, 2.5] } }, /point 1 \(noise\.alpha=2\.5\)/);
  bad({ base: { ...BASE, width: -1 } }, /width: /);
  bad(
    { base: BASE, axes: { seed: [-1, -2, -3, -4, -5, -6, -7] } },
    /7 of 7 grid points.*\n[^]*and 2 more/,
  );
  bad({ base: BASE, axes: { seed: range(400), width: range(400) } }, /160000 points, more than/);
  assert.throws(() => expandGridText("{not json", "g.json"), /g\.json: not valid JSON/);
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

// ---------------------------------------------------------------------------------------------
// Templates

/**
 * A reader for the YAML subset `toYaml` writes (block maps and lists, JSON scalars, `{}`/`[]`,
 * `#` comment lines), written independently of the emitter: a structural check that the
 * indentation nests as intended.
 */
function parseYamlSubset(text: string): unknown {
  const lines = text.split("\n")
    .filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"))
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  let i = 0;
  const scalar = (s: string): unknown => s === "{}" ? {} : s === "[]" ? [] : JSON.parse(s);
  const keyOf = (s: string): { key: string; rest: string } | undefined => {
    const plain = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: (.*))?$/.exec(s);
    if (plain) return { key: plain[1], rest: plain[2] ?? "" };
    if (!s.startsWith('"')) return undefined;
    let end = 1;
    while (end < s.length && s[end] !== '"') end += s[end] === "\\" ? 2 : 1;
    if (s[end + 1] !== ":") return undefined;
    return { key: JSON.parse(s.slice(0, end + 1)), rest: s.slice(end + 2).trimStart() };
  };
  const block = (indent: number): unknown => {
    if (lines[i].indent !== indent) throw new Error(`line ${i}: indent ${lines[i].indent}`);
    if (lines[i].text.startsWith("- ")) {
      const out: unknown[] = [];
      while (i < lines.length && lines[i].indent === indent && lines[i].text.startsWith("- ")) {
        const rest = lines[i].text.slice(2);
        if (keyOf(rest) || rest.startsWith("- ")) {
          lines[i] = { indent: indent + 2, text: rest };
          out.push(block(indent + 2));
        } else {
          out.push(scalar(rest));
          i++;
        }
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    while (i < lines.length && lines[i].indent === indent && !lines[i].text.startsWith("- ")) {
      const kv = keyOf(lines[i].text);
      if (!kv) throw new Error(`line ${i}: not a key: ${lines[i].text}`);
      i++;
      if (kv.rest !== "") out[kv.key] = scalar(kv.rest);
      else {
        if (i >= lines.length || lines[i].indent <= indent) throw new Error(`line ${i}: empty`);
        out[kv.key] = block(lines[i].indent);
      }
    }
    return out;
  };
  const value = block(0);
  if (i !== lines.length) throw new Error(`line ${i}: unexpected dedent`);
  return value;
}

Deno.test("toYaml round-trips nested maps, lists and awkward strings", () => {
  const value = {
    plain: "text",
    "needs quoting": 'a "quoted" value: with # and \\ and \n newline, ünïcode',
    n: -1.5e-7,
    yes: true,
    none: null,
    empty: {},
    nothing: [],
    list: [1, "two", { a: 1, b: [{ c: "d" }, []] }, [3, [4]], {}],
    nested: { deeper: { deepest: ["x"] } },
  };
  assert.deepEqual(parseYamlSubset(toYaml(value)), value);
  assert.throws(() => toYaml({ bad: NaN }), /non-finite/);
});

Deno.test("the SLURM template is a job array running the sweep command with the task's shard", () => {
  const params = {
    shards: 6,
    grid: "grids/my grid.json",
    store: "${SCRATCH}/sweep",
    workdir: "/home/me/htsgd",
    partition: "gpu",
    maxParallel: 2,
    extraArgs: ["--checkpoint-every", "100"],
  };
  const text = renderSlurm(params);
  const lines = text.split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  assert.ok(lines.includes("#SBATCH --array=0-5%2"), text);
  assert.ok(lines.includes("#SBATCH --partition=gpu"));
  assert.ok(lines.includes("#SBATCH --gres=gpu:1"));
  assert.ok(lines.includes("#SBATCH --requeue"));
  assert.ok(lines.includes("cd /home/me/htsgd"));
  const exec = lines.filter((l) => l.startsWith("exec "));
  assert.equal(exec.length, 1);
  assert.equal(
    exec[0],
    `exec deno run -A scripts/sweep.ts --grid 'grids/my grid.json' ` +
      `--shard "\${SLURM_ARRAY_TASK_ID}/6" --store "\${SCRATCH}/sweep/shard-\${SLURM_ARRAY_TASK_ID}" ` +
      `--checkpoint-every 100`,
  );
  // The shell splits the line into the same argv as the Kubernetes args (index substituted).
  const words = shellSplit(exec[0].slice(5), { SLURM_ARRAY_TASK_ID: "4", SCRATCH: "/s" });
  assert.deepEqual(words, [
    "deno",
    ...sweepArgv({ ...params, store: "/s/sweep", sharedStore: false }, "4"),
  ]);
  assert.ok(text.includes("scripts/merge.ts --into"), "how to merge is spelt out");
  // Without GPUs, partition or a parallel cap those lines go; a shared store has no shard-k.
  const bare = renderSlurm({
    ...params,
    gpusPerTask: 0,
    partition: undefined,
    maxParallel: undefined,
    sharedStore: true,
  });
  assert.ok(bare.includes("#SBATCH --array=0-5\n"));
  assert.ok(!bare.includes("--gres") && !bare.includes("--partition"));
  assert.ok(bare.includes(`--store "\${SCRATCH}/sweep"`) && !bare.includes("shard-"));
});

/** Splits an sh command line with '…' and "…${VAR}…" words (enough for the template). */
function shellSplit(line: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) {
    if (m[1] !== undefined) words.push(m[1].replaceAll(`'\\''`, "'"));
    else if (m[2] !== undefined) {
      words.push(
        m[2].replace(/\$\{([A-Z_]+)\}/g, (_, v) => env[v] ?? "").replace(/\\(.)/g, "$1"),
      );
    } else words.push(m[3]);
  }
  return words;
}

Deno.test("the Kubernetes template is an Indexed Job whose pods run the same sweep command", () => {
  const params = {
    shards: 5,
    grid: "deploy/grid.example.json",
    store: "sweep",
    image: "example.org/htsgd:1",
    parallelism: 9,
    namespace: "ml",
  };
  const manifest = k8sJobManifest(params);
  const text = renderK8s(params);
  assert.deepEqual(parseYamlSubset(text), manifest);
  const spec = manifest.spec as Record<string, unknown>;
  assert.equal(manifest.kind, "Job");
  assert.equal(manifest.apiVersion, "batch/v1");
  assert.equal(spec.completionMode, "Indexed");
  assert.equal(spec.completions, 5);
  assert.equal(spec.parallelism, 5, "parallelism is capped at the shard count");
  const pod = (spec.template as { spec: Record<string, unknown> }).spec;
  assert.equal(pod.restartPolicy, "Never");
  const [c] = pod.containers as Record<string, unknown>[];
  assert.deepEqual(c.command, ["deno"]);
  assert.deepEqual(
    c.args,
    sweepArgv({
      shards: 5,
      grid: "deploy/grid.example.json",
      store: "/results/sweep",
      sharedStore: false,
      extraArgs: [],
    }, "$(JOB_COMPLETION_INDEX)"),
  );
  assert.ok((c.args as string[]).includes("$(JOB_COMPLETION_INDEX)/5"));
  const env = c.env as { name: string; valueFrom: { fieldRef: { fieldPath: string } } }[];
  assert.equal(env[0].name, "JOB_COMPLETION_INDEX");
  assert.match(env[0].valueFrom.fieldRef.fieldPath, /job-completion-index/);
  assert.deepEqual((c.resources as { limits: unknown }).limits, {
    memory: "16Gi",
    "nvidia.com/gpu": 1,
  });
  assert.equal((manifest.metadata as { namespace: string }).namespace, "ml");
  // Both templates run the same command for the same shard.
  const slurm = renderSlurm({
    shards: params.shards,
    grid: params.grid,
    workdir: "/w",
    store: "/results/sweep",
  });
  const exec = slurm.split("\n").find((l) => l.startsWith("exec "))!;
  assert.deepEqual(
    shellSplit(exec.slice(5), { SLURM_ARRAY_TASK_ID: "3" }).slice(1),
    (c.args as string[]).map((a) => a.replaceAll("$(JOB_COMPLETION_INDEX)", "3")),
  );
});

Deno.test("templates quote store paths in the merge hints and refuse line breaks and odd log dirs", () => {
  const store = "/data/$(touch pwned) store";
  const slurm = renderSlurm({ shards: 2, grid: "g.json", store, workdir: "/w" });
  const hint = slurm.split("\n").find((l) => l.includes("scripts/merge.ts"))!;
  assert.equal(
    hint,
    `#   deno run -A scripts/merge.ts --into '/data/$(touch pwned) store' ` +
      `'/data/$(touch pwned) store'/shard-*`,
  );
  const k8s = renderK8s({ shards: 2, grid: "g.json", store, image: "img" });
  assert.ok(
    k8s.includes(`--into '/data/$(touch pwned) store' '/data/$(touch pwned) store'/shard-*`),
  );
  for (const bad of ["/data/a\u2028b", "/data/a\u0085b", "/data/a\u2029b", "/data/a\tb"]) {
    assert.throws(
      () => renderK8s({ shards: 2, grid: "g.json", store: bad, image: "img" }),
      /store: must be one line of text/,
    );
  }
  assert.throws(
    () => renderSlurm({ shards: 2, grid: "g", store: "s", workdir: "/w", logDir: "my logs" }),
    /logDir: letters, digits/,
  );
  assert.throws(
    () => renderSlurm({ shards: 2, grid: "g", store: "s", workdir: "/w", logDir: "$(id)" }),
    /logDir/,
  );
});

Deno.test("template parameters are validated, naming the field", () => {
  const slurm = (p: Record<string, unknown>, re: RegExp) =>
    assert.throws(
      () => renderSlurm({ shards: 2, grid: "g", store: "s", workdir: "/w", ...p } as never),
      (err: Error) =>
        err instanceof TemplateError && /^slurm template: /.test(err.message) &&
        re.test(err.message),
    );
  slurm({ shards: 0 }, /shards: /);
  slurm({ shards: 2.5 }, /shards: /);
  slurm({ time: "4h" }, /time: must be \[D-\]HH:MM:SS/);
  slurm({ grid: "a\nb" }, /grid: must be one line/);
  slurm({ jobName: "Bad_Name" }, /jobName: /);
  slurm({ partition: "gpu; rm -rf /" }, /partition: /);
  slurm({ colour: "red" }, /colour|unrecognized/i);
  slurm({ workdir: undefined }, /workdir: required/);
  assert.throws(
    () => renderK8s({ shards: 2, grid: "g", store: "s" } as never),
    /TemplateError: k8s template: invalid parameters:\n {2}image: required/,
  );
  assert.throws(
    () => renderK8s({ shards: 2, grid: "g", store: "s", image: "a b" }),
    /image: must not contain spaces/,
  );
  assert.throws(
    () => renderK8s({ shards: 2, grid: "g", store: "s", image: "i", pvc: "Bad" }),
    /pvc: a DNS-1123 name/,
  );
});

Deno.test("the checked-in deploy/ examples are the rendered templates and their grid is valid", async () => {
  assert.equal(
    await Deno.readTextFile(join(ROOT, EXAMPLE_FILES.slurm)),
    renderSlurm(EXAMPLE_SLURM),
  );
  assert.equal(await Deno.readTextFile(join(ROOT, EXAMPLE_FILES.k8s)), renderK8s(EXAMPLE_K8S));
  const grid = expandGridText(
    await Deno.readTextFile(join(ROOT, EXAMPLE_SLURM.grid)),
    EXAMPLE_SLURM.grid,
  );
  assert.equal(grid.points.length, 45);
});

// ---------------------------------------------------------------------------------------------
// Merging stores

function record(key: string, metrics: Record<string, unknown>, host = "a"): RunRecord {
  return {
    key,
    config: { kind: "test", key },
    codeVersion: "v1",
    createdAt: `2026-01-0${host === "a" ? 1 : 2}T00:00:00.000Z`,
    metrics: { wallSeconds: host === "a" ? 1.5 : 9.25, ...metrics },
    host: { adapter: `gpu-${host}` },
  };
}

const W = (v: number) => ({ W0: new Float32Array([v, 2, 3]), W1: new Float32Array([4]) });

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, rel: string) {
    for await (const e of Deno.readDir(d)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(join(d, e.name), r);
      else out.push(r);
    }
  }
  try {
    await walk(dir, "");
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort();
}

async function withDirs(n: number, fn: (...dirs: string[]) => Promise<void>): Promise<void> {
  const dirs = await Promise.all(Array.from({ length: n }, () => Deno.makeTempDir()));
  try {
    await fn(...dirs);
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
  }
}

Deno.test("merge copies finished runs only, byte for byte, weights before record", async () => {
  await withDirs(3, async (a, b, into) => {
    const A = new ResultStore(a);
    const B = new ResultStore(b);
    await A.put("k1", record("k1", { acc: 1 }), W(1));
    await A.put("k2", record("k2", { acc: 2 }), W(2));
    await B.put("k2", record("k2", { acc: 2 }, "b"), W(2)); // same result, other machine
    await B.put("k3", record("k3", { acc: 3 }, "b")); // no tensors (like a pruning record)
    // An unfinished run (weights written, killed before the record), a checkpoint, temp files.
    await Deno.mkdir(join(b, "runs", "k4"), { recursive: true });
    await Deno.writeFile(
      join(b, "runs", "k4", "weights.htt"),
      await Deno.readFile(A.weightsPath("k1")),
    );
    await B.saveCheckpoint("k5", { step: 3 }, W(5));
    await Deno.writeTextFile(join(b, "runs", "k3", ".record.json.123.0123456789ab.tmp"), "{");
    await Deno.writeTextFile(join(b, "checkpoints", ".k6.htt.9.aaaaaaaaaaaa.tmp"), "x");

    const writes: string[] = [];
    const report = await mergeStores(into, [a, b], {
      writeFile: (path, data) => {
        writes.push(path.slice(into.length + 1));
        return writeFileAtomic(path, data);
      },
    });
    assert.ok(report.ok);
    assert.deepEqual(report.copied, ["k1", "k2", "k3"]);
    assert.deepEqual(report.identical, []);
    assert.deepEqual(report.unfinished, [{ store: b, key: "k4" }]);
    assert.equal(report.checkpointsSkipped, 1);
    assert.equal(report.tempFilesSkipped, 2);
    assert.deepEqual(writes, [
      "runs/k1/weights.htt",
      "runs/k1/record.json",
      "runs/k2/weights.htt",
      "runs/k2/record.json",
      "runs/k3/record.json",
    ]);
    assert.deepEqual(await tree(into), writes.slice().sort());
    for (const key of ["k1", "k2"]) {
      assert.deepEqual(
        await Deno.readFile(join(into, "runs", key, "record.json")),
        await Deno.readFile(A.recordPath(key)),
        "the first source's bytes",
      );
      assert.deepEqual(
        await Deno.readFile(join(into, "runs", key, "weights.htt")),
        await Deno.readFile(A.weightsPath(key)),
      );
    }
    assert.deepEqual((await new ResultStore(into).list()).map((r) => r.key), ["k1", "k2", "k3"]);
    // Merging again changes nothing; a dry run writes nothing.
    const again = await mergeStores(into, [a, b]);
    assert.deepEqual(again.copied, []);
    assert.deepEqual(again.identical, ["k1", "k2", "k3"]);
    const dry = join(into, "dry");
    const planned = await mergeStores(dry, [a, b], { dryRun: true });
    assert.deepEqual(planned.copied, ["k1", "k2", "k3"]);
    assert.deepEqual(await tree(dry), []);
  });
});

Deno.test("merge refuses, naming it, a finished training run without weights, an altered record or foreign weights", async () => {
  await withDirs(2, async (a, into) => {
    const A = new ResultStore(a);
    const train = (key: string): RunRecord => ({
      ...record(key, { acc: 1 }),
      config: { kind: "fcn-train", key },
    });
    await A.put("nowts", train("nowts"), W(1));
    await Deno.remove(A.weightsPath("nowts"));
    await A.put("flip", train("flip"), W(1));
    const text = await Deno.readTextFile(A.recordPath("flip"));
    await Deno.writeTextFile(A.recordPath("flip"), text.replace('"acc": 1', '"acc": 7'));
    await A.put("own", train("own"), W(1));
    await A.put("foreign", train("foreign"), W(2));
    await Deno.copyFile(A.weightsPath("own"), A.weightsPath("foreign"));
    const report = await mergeStores(into, [a]);
    assert.equal(report.ok, false);
    assert.deepEqual(report.copied, ["own"]);
    const detail = Object.fromEntries(report.corrupt.map((c) => [c.key, c.detail]));
    assert.match(detail.nowts, /weights\.htt missing: a finished training run needs it/);
    assert.ok(detail.nowts.includes(A.weightsPath("nowts")));
    assert.match(detail.flip, /record\.json: checksum mismatch/);
    assert.match(detail.foreign, /its header names run "own", not foreign/);
  });
});

Deno.test("merge refuses a key whose copies differ, writing nothing for it", async () => {
  await withDirs(4, async (a, b, into, c) => {
    const A = new ResultStore(a);
    const B = new ResultStore(b);
    await A.put("same", record("same", { acc: 1 }), W(1));
    await B.put("same", record("same", { acc: 1 }, "b"), W(1));
    await A.put("metric", record("metric", { acc: 0.9, curve: [1, 2] }), W(1));
    await B.put("metric", record("metric", { acc: 0.9, curve: [1, 3] }, "b"), W(1));
    await A.put("weights", record("weights", { acc: 1 }), W(1));
    await B.put("weights", record("weights", { acc: 1 }, "b"), W(1.5));
    await A.put("onlyw", record("onlyw", { acc: 1 }), W(1));
    await B.put("onlyw", record("onlyw", { acc: 1 }, "b"));
    const report = await mergeStores(into, [a, b]);
    assert.equal(report.ok, false);
    assert.deepEqual(report.copied, ["same"]);
    const byKey = Object.fromEntries(report.conflicts.map((c) => [c.key, c]));
    assert.deepEqual(Object.keys(byKey).sort(), ["metric", "onlyw", "weights"]);
    assert.equal(byKey.metric.detail, "metrics.curve[1]: 2 vs 3");
    assert.deepEqual(byKey.metric.stores, [a, b]);
    assert.match(byKey.weights.detail, /^weights\.htt: sha256 [0-9a-f]{12}… vs [0-9a-f]{12}…$/);
    assert.match(byKey.onlyw.detail, /only .* has one/);
    assert.deepEqual(await tree(into), ["runs/same/record.json", "runs/same/weights.htt"]);

    // A conflict with what the destination already holds leaves the destination untouched.
    const C = new ResultStore(c);
    await C.put("same", record("same", { acc: 1.5 }, "b"), W(1));
    const before = await Deno.readFile(join(into, "runs", "same", "record.json"));
    const second = await mergeStores(into, [c]);
    assert.equal(second.conflicts[0].detail, "metrics.acc: 1 vs 1.5");
    assert.deepEqual(second.conflicts[0].stores, [into, c]);
    assert.deepEqual(await Deno.readFile(join(into, "runs", "same", "record.json")), before);
  });
});

Deno.test("merge refuses corrupt source runs and bad folders with clear messages", async () => {
  await withDirs(3, async (a, b, into) => {
    const A = new ResultStore(a);
    const B = new ResultStore(b);
    await A.put("torn", record("torn", { acc: 1 }), W(1));
    await B.put("torn", record("torn", { acc: 1 }, "b"), W(1));
    const w = await Deno.readFile(B.weightsPath("torn"));
    await Deno.writeFile(B.weightsPath("torn"), w.subarray(0, w.length - 3));
    await A.put("badjson", record("badjson", {}));
    await Deno.writeTextFile(A.recordPath("badjson"), '{"key": "badjson", ');
    await A.put("wrongkey", record("wrongkey", {}));
    await Deno.writeTextFile(
      A.recordPath("wrongkey"),
      JSON.stringify({ ...record("other", {}) }),
    );
    const report = await mergeStores(into, [a, b]);
    assert.equal(report.ok, false);
    assert.deepEqual(report.copied, []);
    const details = Object.fromEntries(report.corrupt.map((c) => [c.key, c.detail]));
    assert.match(details.torn, /weights\.htt: truncated/);
    assert.match(details.badjson, /record\.json: not valid JSON/);
    assert.match(details.wrongkey, /key is "other", not "wrongkey"/);
    assert.deepEqual(await tree(into), []);

    const file = join(into, "plain-file");
    await Deno.writeTextFile(file, "x");
    await assert.rejects(mergeStores(file, [a]), /destination .*plain-file is not a folder/);
    await assert.rejects(mergeStores(into, [join(a, "missing")]), /source store .*missing: /);
    assert.equal(await Deno.readTextFile(file), "x");
  });
});

Deno.test("firstDifference and runDifference ignore provenance only", () => {
  assert.equal(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), undefined);
  assert.equal(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), "a[1].b: 2 vs 3");
  assert.equal(firstDifference({ a: 1 }, { a: 1, c: "x" }), 'c: absent vs "x"');
  assert.equal(firstDifference([1], [1, 2]), "[1]: absent vs 2");
  const run = (r: RunRecord): StoredRun => ({
    key: r.key,
    store: "s",
    record: r,
    recordBytes: new Uint8Array(),
  });
  assert.equal(
    runDifference(run(record("k", { x: 1 })), run(record("k", { x: 1 }, "b"))),
    undefined,
  );
  assert.equal(
    runDifference(run(record("k", { x: 1 })), run({ ...record("k", { x: 1 }), codeVersion: "v2" })),
    'codeVersion: "v1" vs "v2"',
  );
});

// ---------------------------------------------------------------------------------------------
// The CLI, and three shard processes against one

function sweepGrid() {
  return { base: BASE, axes: { seed: [1, 2, 3], "noise.alpha": [1.5, 1.9] } };
}

function deno(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runDeno(args);
}

Deno.test("merge and sweep CLIs: usage errors exit 2, refusals exit 1 with the reason", async () => {
  await withDirs(3, async (a, b, into) => {
    await new ResultStore(a).put("k", record("k", { acc: 1 }));
    await new ResultStore(b).put("k", record("k", { acc: 2 }, "b"));
    const conflict = await deno(["run", "-A", "scripts/merge.ts", "--into", into, a, b]);
    assert.equal(conflict.code, 1, conflict.stderr);
    assert.match(conflict.stderr, /conflict: run k differs between .* \(metrics\.acc: 1 vs 2\)/);
    assert.match(conflict.stderr, /nothing written for this key/);
    assert.match(conflict.stderr, /error: 1 run\(s\) refused/);
    assert.deepEqual(JSON.parse(conflict.stdout).conflicts[0].key, "k");
    assert.equal((await deno(["run", "-A", "scripts/merge.ts", a])).code, 2);
    assert.equal((await deno(["run", "-A", "scripts/merge.ts", "--into", into])).code, 2);
    const grid = join(into, "grid.json");
    await Deno.writeTextFile(grid, JSON.stringify(sweepGrid()));
    const badShard = await deno([
      "run",
      "-A",
      "scripts/sweep.ts",
      "--grid",
      grid,
      "--shard",
      "3/3",
    ]);
    assert.equal(badShard.code, 2);
    assert.match(badShard.stderr, /--shard: "3\/3": shards are 0-based/);
    await Deno.writeTextFile(grid, JSON.stringify({ base: BASE, axes: { sed: [1] } }));
    const badGrid = await deno(["run", "-A", "scripts/sweep.ts", "--grid", grid]);
    assert.equal(badGrid.code, 1);
    assert.match(badGrid.stderr, /grid\.json: invalid sweep grid:\n {2}axes\.sed: unknown config/);
  });
});

interface Line {
  key: string;
  pruneKey: string;
  shard: string;
  index: number;
}

Deno.test("three shard processes, merged, equal one process: same keys, metrics and weights", async () => {
  await withDirs(6, async (work, s0, s1, s2, single, merged) => {
    const grid = join(work, "grid.json");
    await Deno.writeTextFile(grid, JSON.stringify(sweepGrid()));
    const common = ["--grid", grid, "--checkpoint-every", "7", "--quiet"];
    const runs = await Promise.all([
      ...[s0, s1, s2].map((store, k) =>
        deno(["run", "-A", "scripts/sweep.ts", ...common, "--shard", `${k}/3`, "--store", store])
      ),
      deno(["run", "-A", "scripts/sweep.ts", ...common, "--store", single]),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const lines = runs.map((r) =>
      r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line)
    );
    const all = lines[3];
    assert.equal(all.length, 6);
    // The shares are disjoint, cover the grid, and are what --shard k/3 assigns.
    const shardKeys = lines.slice(0, 3).map((ls) => ls.map((l) => l.key));
    assert.deepEqual(shardKeys.flat().sort(), all.map((l) => l.key).sort());
    const points = expandGrid(parseGrid(sweepGrid())).points;
    for (let k = 0; k < 3; k++) {
      assert.deepEqual(
        lines[k].map((l) => l.index),
        filterShard(points, (p) => p.shardKey, { index: k, count: 3 }).map((p) => p.index),
      );
      assert.ok(lines[k].every((l) => l.shard === `${k}/3`));
    }
    const m = await deno(["run", "-A", "scripts/merge.ts", "--into", merged, s0, s1, s2]);
    assert.equal(m.code, 0, m.stderr);
    assert.equal(JSON.parse(m.stdout).copied, 12, "6 training and 6 pruning records");
    // Same keys (training and pruning records), no checkpoints or temp files.
    const mergedTree = await tree(merged);
    assert.deepEqual(mergedTree, (await tree(single)).filter((f) => f.startsWith("runs/")));
    assert.ok(!mergedTree.some((f) => isTempName(f.split("/").pop()!)));
    const keys = [...new Set(mergedTree.map((f) => f.split("/")[1]))].sort();
    assert.deepEqual(keys, all.flatMap((l) => [l.key, l.pruneKey]).sort());
    for (const key of keys) {
      const a = await loadStoredRun(merged, key);
      const b = await loadStoredRun(single, key);
      assert.ok(a.kind === "run" && b.kind === "run");
      assert.equal(runDifference(a.run, b.run), undefined, key);
      const strip = (r: RunRecord) => {
        const { wallSeconds: _, ...metrics } = r.metrics;
        return { ...r, metrics, createdAt: "", host: {}, recordSha256: "" };
      };
      assert.deepEqual(strip(a.run.record), strip(b.run.record));
      assert.deepEqual(a.run.weightsBytes, b.run.weightsBytes, `${key}: bit-identical weights`);
    }
    // Rerunning a shard on its store loads everything: nothing is trained twice.
    const rerun = await deno([
      "run",
      "-A",
      "scripts/sweep.ts",
      ...common,
      "--shard",
      "1/3",
      "--store",
      s1,
    ]);
    assert.equal(rerun.code, 0, rerun.stderr);
    const relines = rerun.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(relines.every((l: { cached: boolean }) => l.cached));
    assert.equal(relines.length, lines[1].length);
  });
});
