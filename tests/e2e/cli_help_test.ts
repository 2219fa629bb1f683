/**
 * The command line behaves like its neighbours (issue #14 §3) and bad input is caught before work
 * starts (issue #13): every task answers --help and --version with exit 0 before any GPU work,
 * Ctrl-C says a rerun resumes, and a bad --out, --store or --width fails at once, naming it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { codeVersion } from "../../lib/store/version.ts";
import { runDeno } from "../helpers.ts";

const root = new URL("../..", import.meta.url).pathname;
const tasks = JSON.parse(Deno.readTextFileSync(join(root, "deno.json"))).tasks as Record<
  string,
  string
>;
const env = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };

function run(script: string, args: string[]) {
  return runDeno(["run", "-A", script, ...args]);
}

/** Each task's script, as deno.json runs it (tasks that run `deno test` etc. have none). */
const scripts = Object.entries(tasks).flatMap(([name, command]) => {
  const m = / run -A (scripts\/\S+\.ts)/.exec(command);
  return m ? [{ name, script: m[1] }] : [];
});

Deno.test("every deno.json task's command skips Deno's update check (no network but `data`)", () => {
  for (const [name, command] of Object.entries(tasks)) {
    assert.ok(command.startsWith("DENO_NO_UPDATE_CHECK=1 "), `${name}: ${command}`);
  }
});

Deno.test("every task answers --help (and -h, after the -- of deno task) with exit 0, usage and an example", async () => {
  assert.ok(scripts.length >= 18, `found ${scripts.length} scripts in deno.json`);
  const queue = [...scripts];
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const flag = t.name.length % 2 ? "--help" : "-h";
      const { code, stdout, stderr } = await run(t.script, ["--", flag]);
      assert.equal(code, 0, `${t.name} ${flag}: exit ${code}\n${stderr}`);
      assert.ok(
        stdout.startsWith(`usage: npx deno task ${t.name} -- `),
        `${t.name}: usage line\n${stdout}`,
      );
      assert.match(stdout, new RegExp(`example:\\n  npx deno task ${t.name} -- `), t.name);
      assert.doesNotMatch(stdout + stderr, /adapter:/, `${t.name}: --help touched the GPU`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
});

Deno.test("--help of train shows the defaults; --version prints package and code version", async () => {
  const help = await run("scripts/train.ts", ["--help"]);
  assert.equal(help.code, 0);
  assert.match(
    help.stdout,
    /defaults: --dataset mnist --width 5000 --depth 2 --lr 0\.01 --batch-size 5000/,
  );
  for (const script of ["scripts/train.ts", "scripts/demo.ts", "scripts/fig_alpha.ts"]) {
    const v = await run(script, ["--", "--version"]);
    assert.equal(v.code, 0, v.stderr);
    const pkg = JSON.parse(await Deno.readTextFile(join(root, "package.json"))).version;
    assert.match(v.stdout, new RegExp(`^htsgd ${pkg.replaceAll(".", "\\.")}\\n`));
    assert.ok(v.stdout.includes(`code version ${codeVersion()}`), v.stdout);
  }
});

Deno.test("bench: the -- of deno task is dropped, so its flags are read", async () => {
  const { code, stderr } = await run("scripts/bench.ts", ["--", "--full", "--quick"]);
  assert.equal(code, 2);
  assert.match(stderr, /--full and --quick exclude each other/);
});

Deno.test("--out naming a file and an unusable --store fail at once, before any GPU work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "x");
    const checks: [string, string[], RegExp][] = [
      [
        "scripts/fig_theory.ts",
        ["--out", file, "--store", join(dir, "s")],
        /--out names an existing file/,
      ],
      [
        "scripts/demo.ts",
        ["--out", file, "--store", join(dir, "s")],
        /--out names an existing file/,
      ],
      ["scripts/fig_alpha.ts", ["--store", file], /it exists and is not a folder/],
      ["scripts/reproduce.ts", ["--store", file], /it exists and is not a folder/],
      [
        "scripts/demo.ts",
        ["--store", file, "--out", join(dir, "o")],
        /it exists and is not a folder/,
      ],
      [
        "scripts/train.ts",
        ["--store", file, "--dataset", "synthetic", "--width", "4", "--max-steps", "2"],
        /it exists and is not a folder/,
      ],
    ];
    for (const [script, args, re] of checks) {
      const { code, stdout, stderr } = await run(script, args);
      assert.equal(code, 1, `${script} ${args.join(" ")}: exit ${code}\n${stderr}`);
      assert.match(stderr, re, script);
      assert.ok(stderr.includes(file), `${script}: names the path`);
      assert.doesNotMatch(stdout + stderr, /adapter:/, `${script}: failed only after GPU work`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train --width 1000000000 names the flag and the limit instead of failing to allocate", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stderr } = await run("scripts/train.ts", [
      "--dataset",
      "synthetic",
      "--width",
      "1000000000",
      "--store",
      dir,
    ]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /--width 1000000000: layer 0 has 1000000000×\d+ float32 weights/);
    assert.match(stderr, /largest buffer binding/);
    assert.doesNotMatch(stderr, /allocation failed/i);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train shows an ETA to --max-steps; Ctrl-C prints that a rerun resumes and exits 130", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/train.ts",
        "--dataset",
        "synthetic",
        "--width",
        "16",
        "--batch-size",
        "32",
        "--eval-every",
        "5",
        "--max-steps",
        "100000",
        "--store",
        dir,
      ],
      cwd: root,
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    while (!/left to max-steps 100000/.test(stderr)) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += value;
    }
    assert.match(stderr, /step \d+: .* steps\/s \| ≤ .+ left to max-steps 100000/);
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += value;
    }
    await child.stdout.cancel();
    const status = await child.status;
    assert.equal(status.code, 130, stderr);
    const lines = stderr.split("\n").filter((l) => l.startsWith("interrupted:"));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], /rerun the same command to continue/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
