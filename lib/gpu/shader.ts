/**
 * Loads WGSL sources from `kernels/`. Two small preprocessing steps keep kernels in plain .wgsl
 * files: `#include "file.wgsl"` lines are replaced by that file (once per shader), and
 * `{{NAME}}` placeholders are replaced by values from `defines` (tile sizes, workgroup sizes,
 * flags). An unreplaced placeholder is an error that names it. The file text comes from the host
 * platform (platform.ts): read from disk under Deno, inlined at build time in the web page.
 */

import { platform } from "./platform.ts";

const sourceCache = new Map<string, string>();

export type Defines = Record<string, string | number | boolean>;

function readKernelFile(file: string): string {
  let text = sourceCache.get(file);
  if (text === undefined) {
    if (!/^[\w.-]+\.wgsl$/.test(file)) throw new Error(`bad kernel file name "${file}"`);
    text = platform().readKernel(file);
    sourceCache.set(file, text);
  }
  return text;
}

function expandIncludes(file: string, seen: Set<string>): string {
  if (seen.has(file)) return "";
  seen.add(file);
  return readKernelFile(file).replace(
    /^[ \t]*#include\s+"([^"]+)"[ \t]*$/gm,
    (_line, inc: string) => expandIncludes(inc, seen),
  );
}

function formatDefine(value: string | number | boolean): string {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new Error(`define value ${value} is not finite`);
  }
  return String(value);
}

/**
 * The full WGSL text of `kernels/<name>.wgsl` with includes expanded, after `header` (the
 * generated declarations of kernel_decl.ts), with defines applied to both.
 */
export function loadKernelSource(name: string, defines: Defines = {}, header = ""): string {
  const expanded = header + expandIncludes(`${name}.wgsl`, new Set());
  const text = expanded.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    if (!(key in defines)) throw new Error(`kernel ${name}: no value given for {{${key}}}`);
    return formatDefine(defines[key]);
  });
  return text;
}

/** A stable cache key for a kernel variant. */
export function kernelKey(name: string, defines: Defines = {}, entry = "main"): string {
  const parts = Object.keys(defines).sort().map((k) => `${k}=${defines[k]}`);
  return `${name}:${entry}:${parts.join(",")}`;
}
