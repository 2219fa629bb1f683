/**
 * The code version stored with every result: a hash of the kernels and library sources, so a
 * change to the numerics invalidates cached runs instead of silently reusing them.
 */
import { sha256Hex } from "./hash.ts";

const ROOT = new URL("../../", import.meta.url);
let cached: string | undefined;

function listSources(dir: URL, rel: string, exts: string[], out: string[]): void {
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${rel}${entry.name}`;
    if (entry.isDirectory) listSources(new URL(`${entry.name}/`, dir), `${path}/`, exts, out);
    else if (exts.some((e) => entry.name.endsWith(e))) out.push(path);
  }
}

/** 12 hex chars identifying the contents of kernels/*.wgsl and lib/**.ts. */
export function codeVersion(): string {
  if (cached) return cached;
  const files: string[] = [];
  listSources(new URL("kernels/", ROOT), "kernels/", [".wgsl"], files);
  listSources(new URL("lib/", ROOT), "lib/", [".ts"], files);
  files.sort();
  const parts = files.map((f) => `${f}\n${sha256Hex(Deno.readFileSync(new URL(f, ROOT)))}`);
  cached = sha256Hex(parts.join("\n")).slice(0, 12);
  return cached;
}
