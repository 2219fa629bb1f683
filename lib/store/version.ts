/**
 * The code version stored with every result: a hash of the kernels and library sources, so a
 * change to the numerics invalidates cached runs instead of silently reusing them. Also a
 * best-effort `git describe` for provenance.
 */
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "./hash.ts";

/** The project root (two folders above this file). */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Which sources feed the code version: folder (relative to the root) and file-name suffix. */
export const VERSIONED_SOURCES = [
  { dir: "kernels", suffix: ".wgsl", recursive: false },
  { dir: "lib", suffix: ".ts", recursive: true },
] as const;

/**
 * Code that cannot change a number in a result (plots, figure layout, reports; sharding, merging
 * and job templates): editing it must not invalidate cached training runs.
 */
export const UNVERSIONED_PREFIXES = ["lib/figures/", "lib/plot/", "lib/shard/"] as const;

let cached: string | undefined;

function collect(root: string, dir: string, suffix: string, recursive: boolean, out: string[]) {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && recursive) collect(root, path, suffix, recursive, out);
    else if (entry.isFile && entry.name.endsWith(suffix)) {
      out.push(relative(root, path).split(sep).join("/"));
    }
  }
}

/** The versioned source files under `root`, as sorted root-relative "/" paths. */
export function versionedFiles(root: string = PROJECT_ROOT): string[] {
  const files: string[] = [];
  for (const s of VERSIONED_SOURCES) collect(root, join(root, s.dir), s.suffix, s.recursive, files);
  return files.filter((f) => !UNVERSIONED_PREFIXES.some((p) => f.startsWith(p))).sort();
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
