/**
 * Every project path named in the shell scripts, the CI files, the deno.json tasks and the docs
 * exists, so that moving a module cannot silently break a GPU run that is only rehearsed by hand,
 * or leave the README pointing at nothing.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers.ts";

const SOURCES = [
  "deno.json",
  ".ci/run",
  ".github/workflows/ci.yml",
  "README.md",
  "bench/README.md",
  ...[...Deno.readDirSync(join(ROOT, "docs"))]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => `docs/${e.name}`),
  ...[...Deno.readDirSync(join(ROOT, "bench"))]
    .filter((e) => e.isFile && (e.name.endsWith(".sh") || e.name.endsWith(".py")))
    .map((e) => `bench/${e.name}`),
];

/** Paths like lib/…/x.ts, scripts/x.ts, tests/…/x.ts, bench/x.sh, kernels/x.wgsl in a text. */
export function projectPaths(text: string): string[] {
  const re =
    /(?<![\w./-])(?:\.\/)?((?:lib|scripts|tests|bench|kernels)\/[\w./-]*\.(?:ts|sh|py|wgsl))/g;
  return [...new Set([...text.matchAll(re)].map((m) => m[1]))];
}

Deno.test("projectPaths finds the project paths a script names", () => {
  assert.deepEqual(
    projectPaths(
      "deno eval \"import { a } from './lib/figures/common/presets.ts';\" && " +
        "deno run -A scripts/bench.ts; see tests/gpu/rng_test.ts, not /usr/lib/x.ts",
    ),
    ["lib/figures/common/presets.ts", "scripts/bench.ts", "tests/gpu/rng_test.ts"],
  );
});

Deno.test("every path the scripts, CI files, tasks and docs name exists", () => {
  const missing: string[] = [];
  for (const source of SOURCES) {
    for (const path of projectPaths(Deno.readTextFileSync(join(ROOT, source)))) {
      if (!existsSync(join(ROOT, path))) missing.push(`${source} names ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});
