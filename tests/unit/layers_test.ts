/**
 * The import graph of lib/: every relative import goes to the importer's own layer or one below
 * (lib/layers.ts), every folder has a layer, the folders form no cycle, and the code version
 * hashes exactly the numeric layers' files and the kernels.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { layerOf, LAYERS, numericFolders } from "../../lib/layers.ts";
import { versionedFiles } from "../../lib/store/version.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LIB = join(ROOT, "lib");

function libFiles(dir = LIB): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...libFiles(path));
    else if (e.name.endsWith(".ts")) out.push(relative(LIB, path));
  }
  return out.sort();
}

/** Relative specifiers of static imports/exports and dynamic import() calls. */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re =
    /(?:^|[\s;])(?:import|export)\b[^;]*?\bfrom\s*["'](\.[^"']+)["']|\bimport\s*\(\s*["'](\.[^"']+)["']\s*\)|^\s*import\s*["'](\.[^"']+)["']/gm;
  for (const m of source.matchAll(re)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

/** lib-relative folder of a lib-relative file ("" for lib/ itself). */
const folderOf = (file: string) => (dirname(file) === "." ? "" : dirname(file));

interface Edge {
  file: string;
  target: string;
  from: string;
  to: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of libFiles()) {
    for (const spec of importsOf(Deno.readTextFileSync(join(LIB, file)))) {
      const target = normalize(join(dirname(file), spec));
      out.push({ file, target, from: folderOf(file), to: folderOf(target) });
    }
  }
  return out;
}

Deno.test("importsOf finds static, re-export, side-effect and dynamic imports", () => {
  const src = [
    'import { a } from "./a.ts";',
    "import type {",
    "  B,",
    '} from "../b/b.ts";',
    'export * from "./c.ts";',
    'export { d } from "./d.ts";',
    'const e = await import("../e/e.ts");',
    'import "./f.ts";',
    'import { z } from "zod";',
  ].join("\n");
  assert.deepEqual(importsOf(src), [
    "./a.ts",
    "../b/b.ts",
    "./c.ts",
    "./d.ts",
    "../e/e.ts",
    "./f.ts",
  ]);
});

Deno.test("every lib/ folder has exactly one layer", () => {
  const folders = new Set(libFiles().map(folderOf));
  for (const f of folders) {
    assert.notEqual(layerOf(f), -1, `lib/${f} is in no layer of lib/layers.ts`);
  }
  const listed = LAYERS.flatMap((l) => l.folders);
  assert.equal(new Set(listed).size, listed.length, "a folder is listed twice");
  for (const f of listed) {
    assert.ok(folders.has(f), `lib/layers.ts lists lib/${f}, which has no file`);
  }
});

Deno.test("no import reaches a higher layer or leaves lib/", () => {
  const bad: string[] = [];
  for (const e of edges()) {
    if (e.target.startsWith("..")) bad.push(`${e.file} imports ${e.target} (outside lib/)`);
    else if (layerOf(e.to) > layerOf(e.from)) {
      bad.push(
        `lib/${e.file} (${LAYERS[layerOf(e.from)].name}) imports lib/${e.target} ` +
          `(${LAYERS[layerOf(e.to)].name})`,
      );
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("the folders of lib/ form no import cycle", () => {
  const graph = new Map<string, Set<string>>();
  for (const e of edges()) {
    if (e.from === e.to) continue;
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)!.add(e.to);
  }
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === "done") return;
    if (state.get(f) === "open") {
      cycles.push([...path.slice(path.indexOf(f)), f].join(" → "));
      return;
    }
    state.set(f, "open");
    for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
    state.set(f, "done");
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});

Deno.test("the code version hashes exactly the kernels and the numeric layers", () => {
  const numeric = new Set(numericFolders());
  const expected = [
    ...[...Deno.readDirSync(join(ROOT, "kernels"))]
      .filter((e) => e.isFile && e.name.endsWith(".wgsl"))
      .map((e) => `kernels/${e.name}`),
    ...libFiles().filter((f) => numeric.has(folderOf(f))).map((f) => `lib/${f}`),
  ].sort();
  assert.deepEqual(versionedFiles(ROOT), expected);
  assert.ok(!expected.some((f) => f.startsWith("lib/figures/") || f.startsWith("lib/plot/")));
});

Deno.test("the numeric layers import nothing above them (so no caption can change a number)", () => {
  const numeric = new Set(numericFolders());
  const leaks = edges().filter((e) => numeric.has(e.from) && !numeric.has(e.to));
  assert.deepEqual(leaks.map((e) => `lib/${e.file} → lib/${e.target}`), []);
});
