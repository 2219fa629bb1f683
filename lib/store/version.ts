/**
 * The code version stored with every result: a hash of the kernels and the numeric core's sources
 * (lib/layers.ts), so a change to the numerics invalidates cached runs instead of silently reusing them. Also a
 * best-effort `git describe` for provenance.
 */
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { numericFolders } from "../layers.ts";
import { sha256Hex } from "./hash.ts";

/** The project root (two folders above this file). */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The files of the numeric core feed the code version: every kernel, and the .ts files of the
 * numbers layers of lib/layers.ts (not their sub-folders: a folder is its own entry there). Code
 * above them (figures, plots, reports, sharding, the command line) cannot change a number in a
 * result, and editing it must not invalidate cached runs.
 */
function numericSources(): { dir: string; suffix: string }[] {
  return [
    { dir: "kernels", suffix: ".wgsl" },
    ...numericFolders().map((f) => ({ dir: f === "" ? "lib" : `lib/${f}`, suffix: ".ts" })),
  ];
}

let cached: string | undefined;

function collect(root: string, dir: string, suffix: string, out: string[]) {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isFile && entry.name.endsWith(suffix)) {
      out.push(relative(root, path).split(sep).join("/"));
    }
  }
}

/** The versioned source files under `root`, as sorted root-relative "/" paths. */
export function versionedFiles(root: string = PROJECT_ROOT): string[] {
  const files: string[] = [];
  for (const s of numericSources()) collect(root, join(root, s.dir), s.suffix, files);
  return files.sort();
}

/** 16 hex chars of sha256 over (path, sha256(content)) of every versioned file under `root`. */
export function hashSources(root: string = PROJECT_ROOT): string {
  const lines = versionedFiles(root).map((f) =>
    `${f}\0${sha256Hex(Deno.readFileSync(join(root, f)))}`
  );
  return sha256Hex(lines.join("\n")).slice(0, 16);
}

/** This checkout's code version; computed once per process. */
export function codeVersion(): string {
  cached ??= hashSources(PROJECT_ROOT);
  return cached;
}

/** `git describe --always --dirty` of the project, or undefined without git or a repository. */
export async function gitDescribe(root: string = PROJECT_ROOT): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", root, "describe", "--always", "--dirty", "--abbrev=12"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    return out.success && text !== "" ? text : undefined;
  } catch {
    return undefined; // git not installed, or no permission to run it
  }
}
