/**
 * The import graph of lib/: every relative import goes to the importer's own layer or one below
 * (lib/layers.ts), every folder has a layer, the folders form no cycle, and the code version
 * hashes exactly the numeric layers' files and the kernels.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

/** lib-relative folder of a lib-relative file ("" for lib/ itself). */
const folderOf = (file: string) => (dirname(file) === "." ? "" : dirname(file));

interface Edge {
  file: string;
  target: string;
  from: string;
  to: string;
}

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

/**
 * Every import of every lib/ file (static, type-only, re-export and dynamic), as Deno's own
 * module graph (`deno info --json`) resolves it: what the compiler sees, not a regex's guess.
 */
async function readEdges(): Promise<Edge[]> {
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const all = libFiles().map((f) => `import "${pathToFileURL(join(LIB, f)).href}";`);
    await Deno.writeTextFile(entry, all.join("\n"));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
    const libUrl = pathToFileURL(LIB + sep).href;
    const rel = (url: string) => relative(LIB, fileURLToPath(url));
    const result: Edge[] = [];
    for (const m of graph.modules) {
      if (!m.specifier.startsWith(libUrl)) continue;
      const file = rel(m.specifier);
      for (const d of m.dependencies ?? []) {
        const url = d.code?.specifier ?? d.type?.specifier;
        // npm and node: packages (npm ones resolve into node_modules/)
        if (!url?.startsWith("file:") || url.includes("/node_modules/")) continue;
        const target = rel(url);
        result.push({ file, target, from: folderOf(file), to: folderOf(target) });
      }
    }
    return result;
  } finally {
    await Deno.remove(entry);
  }
}

let cachedEdges: Promise<Edge[]> | undefined;
/** The edges, read once for all the tests of this file. */
const edges = () => (cachedEdges ??= readEdges());

Deno.test("the module graph sees every lib/ file and its imports", async () => {
  const found = await edges();
  const importers = new Set(found.map((e) => e.file));
  // Files every other module leans on import something; a graph that lost them is broken.
  for (const f of ["train/run.ts", "figures/registry.ts", "store/version.ts"]) {
    assert.ok(importers.has(f), `no imports seen for lib/${f}`);
  }
  assert.ok(
    found.some((e) => e.file === "store/version.ts" && e.target === "layers.ts"),
    "lib/store/version.ts → lib/layers.ts missing",
  );
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

Deno.test("no import reaches a higher layer or leaves lib/", async () => {
  const bad: string[] = [];
  for (const e of await edges()) {
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

Deno.test("the folders of lib/ form no import cycle", async () => {
  const graph = new Map<string, Set<string>>();
  for (const e of await edges()) {
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

Deno.test("the numeric layers import nothing above them (so no caption can change a number)", async () => {
  const numeric = new Set(numericFolders());
  const leaks = (await edges()).filter((e) => numeric.has(e.from) && !numeric.has(e.to));
  assert.deepEqual(leaks.map((e) => `lib/${e.file} → lib/${e.target}`), []);
});
