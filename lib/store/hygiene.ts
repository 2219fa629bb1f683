/**
 * Store checks for long, interruptible sweeps: a writability check before any GPU work (so an
 * unwritable or mistyped --store fails at once, naming the path), and the leftovers of killed
 * processes. A process killed mid-write leaves at most a hidden temp file (see
 * lib/store/atomic.ts); no reader opens those (results are only ever read under their final
 * names), and `removeTempFiles` clears the stale ones.
 */
import { join } from "node:path";
import { isTempName, WriteError } from "./atomic.ts";

/** A results store that cannot be used: the message names the path and the reason. */
export class StoreUnwritableError extends WriteError {
  constructor(path: string, cause: unknown) {
    super(path, cause);
    this.name = "StoreUnwritableError";
  }
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/**
 * Makes sure `dir` is (or can be made) a writable store folder: creates `runs/` and
 * `checkpoints/`, then writes and removes a probe file. Throws a StoreUnwritableError naming the
 * offending path.
 */
export async function checkStoreWritable(dir: string): Promise<void> {
  for (const path of [dir, join(dir, "runs"), join(dir, "checkpoints")]) {
    let info: Deno.FileInfo | undefined;
    try {
      info = await statOrUndefined(path);
    } catch (err) {
      throw new StoreUnwritableError(path, err);
    }
    if (info && !info.isDirectory) {
      throw new StoreUnwritableError(
        path,
        new Error("it exists and is not a folder (a results store is a folder)"),
      );
    }
    try {
      if (!info) await Deno.mkdir(path, { recursive: true });
    } catch (err) {
      throw new StoreUnwritableError(path, err);
    }
  }
  const probe = join(dir, `.write-probe.${Deno.pid}`);
  try {
    const file = await Deno.open(probe, { write: true, create: true, truncate: true });
    try {
      await file.write(new Uint8Array([0x0a]));
      await file.syncData();
    } finally {
      file.close();
    }
  } catch (err) {
    await Deno.remove(probe).catch(() => {});
    throw new StoreUnwritableError(dir, err);
  }
  await Deno.remove(probe).catch(() => {});
}

/**
 * Makes sure `dir` is (or can be made) a writable folder for outputs (`--out`): an existing file
 * there, or a folder that cannot be written, is an error naming the flag and the path, before any
 * work starts.
 */
export async function checkOutputFolder(dir: string, flag = "--out"): Promise<void> {
  let info: Deno.FileInfo | undefined;
  try {
    info = await statOrUndefined(dir);
  } catch (err) {
    throw new StoreUnwritableError(dir, err);
  }
  if (info && !info.isDirectory) {
    throw new StoreUnwritableError(
      dir,
      new Error(`${flag} names an existing file, not a folder: pass a folder`),
    );
  }
  try {
    if (!info) await Deno.mkdir(dir, { recursive: true });
    const probe = join(dir, `.write-probe.${Deno.pid}`);
    await Deno.writeFile(probe, new Uint8Array([0x0a]));
    await Deno.remove(probe).catch(() => {});
  } catch (err) {
    throw new StoreUnwritableError(dir, err);
  }
}

/** Every temp file (named as by `tempPathFor`) under the store, as full paths, sorted. */
export async function findTempFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(folder: string, depth: number): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) return;
      throw err;
    }
    for (const e of entries) {
      const path = join(folder, e.name);
      if (e.isFile && isTempName(e.name)) out.push(path);
      else if (e.isDirectory && depth < 3) await walk(path, depth + 1);
    }
  }
  await walk(dir, 0);
  return out.sort();
}

/**
 * Removes temp files last modified more than `olderThanSeconds` ago (default one hour: no write
 * takes that long, so an older temp file's writer is dead). Returns the removed paths.
 */
export async function removeTempFiles(
  dir: string,
  opts: { olderThanSeconds?: number } = {},
): Promise<string[]> {
  const age = (opts.olderThanSeconds ?? 3600) * 1000;
  const removed: string[] = [];
  for (const path of await findTempFiles(dir)) {
    try {
      const info = await Deno.stat(path);
      if (Date.now() - (info.mtime?.getTime() ?? 0) < age) continue;
      await Deno.remove(path);
      removed.push(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err; // gone meanwhile: fine
    }
  }
  return removed;
}
