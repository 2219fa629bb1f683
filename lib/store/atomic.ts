/**
 * Crash-safe file writes: data goes to a uniquely named temp file in the destination's folder,
 * is flushed to disk, then renamed over the destination, so readers see the old file or the
 * new one, never a torn one. Failures (unwritable folder, full disk) are rethrown naming the path,
 * and the temp file is removed.
 */
import { dirname } from "node:path";

export class WriteError extends Error {
  constructor(path: string, cause: Error) {
    const hint = cause instanceof Deno.errors.PermissionDenied
      ? " (permission denied)"
      : /ENOSPC|No space/i.test(cause.message)
      ? " (disk full)"
      : "";
    super(`cannot write ${path}${hint}: ${cause.message}`);
    this.name = "WriteError";
  }
}

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  let tmp: string | undefined;
  try {
    await Deno.mkdir(dir, { recursive: true });
    tmp = await Deno.makeTempFile({ dir, prefix: ".htsgd-", suffix: ".tmp" });
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const file = await Deno.open(tmp, { write: true, truncate: true });
    try {
      let off = 0;
      while (off < bytes.length) off += await file.write(bytes.subarray(off));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (err) {
    if (tmp) await Deno.remove(tmp).catch(() => {});
    throw new WriteError(path, err as Error);
  }
}

export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
