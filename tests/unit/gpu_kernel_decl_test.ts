/**
 * Kernel declarations (lib/gpu/kernel_decl.ts) without an adapter: the generated WGSL header,
 * every check a dispatch makes, and that kernels/ and lib/gpu/kernels.ts stay in step (every
 * kernel with entry points is declared, and no .wgsl file writes its own header or index helpers).
 */
import assert from "node:assert/strict";
import {
  bindBuffers,
  checkEntry,
  declareKernel,
  type KernelDecl,
  kernelHeader,
  packParams,
  read,
  readWrite,
  type WgslScalar,
} from "../../lib/gpu/kernel_decl.ts";
import * as declarations from "../../lib/gpu/kernels.ts";
import { loadKernelSource } from "../../lib/gpu/shader.ts";

/** Every declaration lib/gpu/kernels.ts exports. */
const KERNELS: readonly KernelDecl[] = Object.values(declarations);

const SMALL = declareKernel({
  file: "small",
  params: { count: "u32", shift: "i32", lr: "f32" },
  buffers: { x: readWrite("f32"), words: read("u32", "any"), idx: read("u32") },
  entries: { both: ["x", "idx"], all: ["x", "words", "idx"] },
});

/** A stand-in buffer with a known (or unknown) dtype. */
const buf = (dtype?: WgslScalar) => ({ dtype });
const dtypeOf = (b: { dtype?: WgslScalar }) => b.dtype;

/** Asserts that `fn` throws an Error whose message (without "Error: ") matches `re`. */
function throwsMessage(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.match(e.message, re);
    return true;
  });
}

Deno.test("the header declares Params and the buffers at bindings 0, 1, 2, … in order", () => {
  assert.equal(
    kernelHeader(SMALL),
    [
      "// Generated from the declaration of small in lib/gpu/kernels.ts.",
      "struct Params {",
      "  count: u32,",
      "  shift: i32,",
      "  lr: f32,",
      "}",
      "@group(0) @binding(0) var<uniform> p: Params;",
      "@group(0) @binding(1) var<storage, read_write> x: array<f32>;",
      "@group(0) @binding(2) var<storage, read> words: array<u32>;",
      "@group(0) @binding(3) var<storage, read> idx: array<u32>;",
      "",
      "",
    ].join("\n"),
  );
  const bare = declareKernel({ file: "bare", params: {}, buffers: { out: readWrite("u32") } });
  assert.equal(
    kernelHeader(bare),
    "// Generated from the declaration of bare in lib/gpu/kernels.ts.\n" +
      "@group(0) @binding(1) var<storage, read_write> out: array<u32>;\n\n",
  );
  assert.deepEqual(bare.entries, { main: ["out"] });
});

Deno.test("the header comes first and defines fill its placeholders", () => {
  const decl = KERNELS.find((k) => k.file === "nn_fill")!;
  const src = loadKernelSource(decl.file, { WG: 64 }, kernelHeader(decl));
  assert.ok(src.startsWith(kernelHeader(decl)));
  assert.match(src, /struct Params \{\n {2}count: u32,\n {2}bits: u32,\n\}/);
  assert.match(src, /@group\(0\) @binding\(1\) var<storage, read_write> t: array<u32>;/);
  assert.match(src, /fn flat_index\(/); // the include, expanded
  assert.doesNotMatch(src, /\{\{/);
  const tiled = KERNELS.find((k) => k.file === "gemm_tiled")!;
  assert.match(kernelHeader(tiled), /var<storage, read> a: array<\{\{A_ELEM\}\}>;/);
});

Deno.test("declareKernel refuses names WGSL cannot take and entries binding unknown buffers", () => {
  const base = { file: "k", params: { n: "u32" as const }, buffers: { x: read("f32") } };
  assert.throws(
    () => declareKernel({ ...base, params: { "2n": "u32" } }),
    /kernel k: "2n" is not a WGSL identifier/,
  );
  assert.throws(
    () => declareKernel({ ...base, buffers: { p: read("f32") } }),
    /kernel k: buffer name "p" is taken by the parameters/,
  );
  assert.throws(
    () => declareKernel({ ...base, entries: { go: ["y" as "x"] } }),
    /kernel k: entry go binds unknown "y"/,
  );
  assert.throws(() => read("vec4<f32>"), /element type vec4<f32> needs an explicit dtype/);
  assert.throws(() => declareKernel({ ...base, file: "../k" }), /kernel \.\.\/k: bad file name/);
});

Deno.test("packParams writes the fields in order as 4-byte words, padded to 16 bytes", () => {
  const bytes = packParams(SMALL, "all", { lr: 0.1, count: 7, shift: -3 })!;
  assert.equal(bytes.byteLength, 16);
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint32(0, true), 7);
  assert.equal(view.getInt32(4, true), -3);
  assert.equal(view.getFloat32(8, true), Math.fround(0.1));
  assert.equal(view.getUint32(12, true), 0);
  const five = declareKernel({
    file: "five",
    params: { a: "u32", b: "u32", c: "u32", d: "u32", e: "f32" },
    buffers: {},
  });
  assert.equal(packParams(five, "main", { a: 1, b: 2, c: 3, d: 4, e: 5 })!.byteLength, 32);
  const none = declareKernel({ file: "none", params: {}, buffers: { x: read("f32") } });
  assert.equal(packParams(none, "main", {}), undefined);
});

Deno.test("packParams: each wrong parameter throws naming the kernel, entry and field", () => {
  const ok = { count: 1, shift: 0, lr: 0 };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...ok, cnt: 1 }, /^kernel small\.all: unknown param "cnt" \(declared: count, shift, lr\)$/],
    [{ shift: 0, lr: 0 }, /^kernel small\.all: missing param "count" \(u32\)$/],
    [{ ...ok, count: -1 }, /param "count" is u32, got -1 \(an integer in \[0, 2\^32\) needed\)/],
    [{ ...ok, count: 1.5 }, /param "count" is u32, got 1\.5/],
    [{ ...ok, count: 2 ** 32 }, /param "count" is u32, got 4294967296/],
    [{ ...ok, count: NaN }, /param "count" is u32, got NaN/],
    [{ ...ok, shift: 2 ** 31 }, /param "shift" is i32, got 2147483648/],
    [{ ...ok, lr: "0.1" }, /param "lr" is f32, got 0\.1/],
    [{ ...ok, toString: 1 }, /unknown param "toString"/], // not fooled by Object.prototype
  ];
  for (const [values, message] of cases) {
    throwsMessage(() => packParams(SMALL, "all", values as Record<string, number>), message);
  }
  const none = declareKernel({ file: "none", params: {}, buffers: { x: read("f32") } });
  throwsMessage(
    () => packParams(none, "main", { n: 1 }),
    /^kernel none: unknown param "n" \(declared: none\)$/,
  );
});

Deno.test("bindBuffers numbers the buffers by declaration, whichever an entry binds", () => {
  const x = buf("f32");
  const idx = buf("u32");
  const bound = bindBuffers(SMALL, "both", { idx, x }, dtypeOf);
  assert.deepEqual(bound, [{ binding: 1, buffer: x }, { binding: 3, buffer: idx }]);
  // "any" takes every dtype; a buffer of unknown dtype (a raw GPUBuffer) is not checked.
  const words = buf("f32");
  assert.deepEqual(
    bindBuffers(SMALL, "all", { x: buf(), words, idx, extra: undefined }, dtypeOf)
      .map((b) => b.binding),
    [1, 2, 3],
  );
});

Deno.test("bindBuffers: each wrong buffer throws naming the kernel, entry and buffer", () => {
  const [x, words, idx] = [buf("f32"), buf("u32"), buf("u32")];
  const cases: [string, Record<string, { dtype?: WgslScalar }>, RegExp][] = [
    ["none", { x }, /^kernel small: no entry point "none" \(declared: both, all\)$/],
    [
      "both",
      { x, idx, y: x },
      /^kernel small\.both: unknown buffer "y" \(declared: x, words, idx\)$/,
    ],
    [
      "both",
      { x, words, idx },
      /^kernel small\.both: buffer "words" is not bound by this entry \(it binds x, idx\)$/,
    ],
    ["all", { x, idx }, /^kernel small\.all: missing buffer "words"$/],
    [
      "all",
      { x: buf("u32"), words, idx },
      /^kernel small\.all: buffer "x" must be f32, got a u32 tensor$/,
    ],
    ["all", { x, words, idx: buf("i32") }, /buffer "idx" must be u32, got a i32 tensor/],
  ];
  for (const [entry, given, message] of cases) {
    throwsMessage(() => bindBuffers(SMALL, entry, given, dtypeOf), message);
  }
  throwsMessage(() => checkEntry(SMALL, "main"), /no entry point "main"/);
  throwsMessage(() => checkEntry(SMALL, "constructor"), /no entry point "constructor"/);
});

const KERNEL_DIR = new URL("../../kernels/", import.meta.url);
const wgslFiles = [...Deno.readDirSync(KERNEL_DIR)]
  .filter((e) => e.name.endsWith(".wgsl"))
  .map((e) => e.name.slice(0, -5))
  .sort();
const text = (file: string) => Deno.readTextFileSync(new URL(`${file}.wgsl`, KERNEL_DIR));
const entryPoints = (src: string) =>
  [...src.matchAll(/@compute[^\n]*\n\s*fn (\w+)\(/g)].map((m) => m[1]).sort();

Deno.test("every kernel with entry points is declared once, with exactly its entry points", () => {
  const files = KERNELS.map((k) => k.file);
  assert.equal(new Set(files).size, files.length, "a kernel declared twice");
  for (const file of wgslFiles) {
    const entries = entryPoints(text(file));
    const decl = KERNELS.find((k) => k.file === file);
    if (entries.length === 0) {
      assert.equal(decl, undefined, `${file}.wgsl has no entry point but is declared`);
      continue;
    }
    assert.ok(decl, `kernels/${file}.wgsl has entry points but no declaration in kernels.ts`);
    assert.deepEqual(Object.keys(decl.entries).sort(), entries, `entry points of ${file}`);
  }
  for (const file of files) assert.ok(wgslFiles.includes(file), `no kernels/${file}.wgsl`);
});

Deno.test("no kernel file writes its own header or copies the grid index helpers", () => {
  for (const file of wgslFiles) {
    const src = text(file);
    for (
      const re of [/@group\s*\(/, /@binding\s*\(/, /var\s*<\s*(uniform|storage)/, /struct Params\b/]
    ) {
      assert.doesNotMatch(src, re, `kernels/${file}.wgsl declares bindings by hand (${re})`);
    }
    if (file === "grid_index") continue;
    assert.doesNotMatch(src, /fn (group_index|flat_index|thread_count|thread_index)\b/, file);
    assert.doesNotMatch(src, /wid\.y \* nwg\.x \+ wid\.x/, `${file}: use grid_index.wgsl`);
  }
});
