/**
 * Crash-safe file writes: the data goes to a uniquely named temp file in the destination's
 * folder, is flushed to disk, then renamed over the destination, so readers see the old file or
 * the new one, never a torn one. Failures (unwritable folder, full disk) are rethrown as a
 * WriteError naming the path, and the temp file is removed.
 */
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { removeOnInterrupt } from "../interrupt.ts";

/** A failed atomic write; the destination is untouched and no temp file is left behind. */
export class WriteError extends Error {
  constructor(readonly path: string, cause: unknown) {
    const err = cause instanceof Error ? cause : new Error(String(cause));
    super(`cannot write ${path}${hintFor(err)}: ${err.message}`, { cause: err });
    this.name = "WriteError";
  }
}

function hintFor(err: Error): string {
  const code = (err as { code?: string }).code ?? "";
  if (err instanceof Deno.errors.PermissionDenied || code === "EACCES" || code === "EPERM") {
    return " (permission denied: is the folder writable?)";
  }
  if (code === "ENOSPC" || /ENOSPC|No space left|os error 28/i.test(err.message)) {
    return " (disk full)";
  }
  if (code === "EROFS" || /read-only file system/i.test(err.message)) {
    return " (read-only file system)";
  }
  return "";
}

/** The temp-file name used for `path`: hidden, in the same folder, unique per call. */
export function tempPathFor(path: string): string {
  const tag = randomBytes(6).toString("hex");
  return join(dirname(path), `.${basename(path)}.${Deno.pid}.${tag}.tmp`);
}

/** True for names produced by `tempPathFor` (for tests and clean-up tools). */
export function isTempName(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/.test(name);
}

/** Writes `data` to `path` atomically, creating the parent folder if needed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tmp = tempPathFor(path);
  const forget = removeOnInterrupt(tmp);
  try {
    await writeTemp(path, tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw new WriteError(path, err);
  } finally {
    forget();
  }
  await syncDir(dirname(path));
}

/**
 * Writes `bytes` to the new file `tmp` beside `path` (creating the folder) and flushes it. The
 * callers register `tmp` for removal on Ctrl-C first: Deno.exit skips their clean-up.
 */
async function writeTemp(path: string, tmp: string, bytes: Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(tmp, { write: true, createNew: true });
  try {
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    await file.syncData();
  } finally {
    file.close();
  }
}

/**
 * Creates `path` holding `data` unless it exists, atomically: the data go to a temp file (flushed),
 * which is then hard-linked to `path`; the link fails if `path` exists, so of several writers
 * racing for one path exactly one creates it, and readers see no file or the whole file. Returns
 * true when this call created the file, false when it existed (nothing changed). On a file system
 * without hard links it falls back to a rename after a check, which narrows the race but cannot
 * close it.
 */
export async function writeFileIfAbsent(path: string, data: Uint8Array | string): Promise<boolean> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tmp = tempPathFor(path);
  const forget = removeOnInterrupt(tmp);
  let created: boolean;
  try {
    await writeTemp(path, tmp, bytes);
    created = await linkIfAbsent(tmp, path);
  } catch (err) {
    throw new WriteError(path, err);
  } finally {
    await Deno.remove(tmp).catch(() => {});
    forget();
  }
  if (created) await syncDir(dirname(path));
  return created;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Links `from` to `to` unless `to` exists; see writeFileIfAbsent. */
async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await Deno.link(from, to);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return false;
    // No hard links here (some network and FAT file systems): best effort.
    if (await exists(to)) return false;
    await Deno.rename(from, to);
    return true;
  }
}

/** Flushes a folder's entries so the rename itself survives a power loss (best effort). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // Some platforms cannot open or fsync a folder; the rename is still atomic there.
  }
}

/** Writes `value` as indented JSON (with a final newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (err) {
    return Promise.reject(new WriteError(path, err));
  }
  if (text === undefined) {
    return Promise.reject(new WriteError(path, new Error("value has no JSON form")));
  }
  return writeFileAtomic(path, text + "\n");
}
