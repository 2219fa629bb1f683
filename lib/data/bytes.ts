/** Byte-level helpers shared by the loaders: gzip detection, decompression, hashing, safe writes. */

import { READ_LIMITS, readFileBounded } from "../store/bounded_read.ts";
import { createHash } from "node:crypto";
import { DataFormatError } from "./dataset.ts";

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function decompress(
  bytes: Uint8Array,
  format: "gzip" | "deflate-raw",
  file: string,
): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream(format),
  );
  try {
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataFormatError(file, `${format} data is corrupt (${(e as Error).message})`);
  }
}

export function gunzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  return decompress(bytes, "gzip", file);
}

export function inflateRaw(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  return decompress(bytes, "deflate-raw", file);
}

/** Reads a file, decompressing it when it is gzip (by content, not by name). */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  const bytes = await readFileBounded(path, READ_LIMITS.data, "a data file");
  return isGzip(bytes) ? await gunzip(bytes, path) : bytes;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** MD5 and SHA-256 of a file, read in chunks so large archives need not sit in memory. */
export async function hashFile(path: string): Promise<{ md5: string; sha256: string }> {
  const md5 = createHash("md5");
  const sha = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  // The readable stream closes the file when it ends or is cancelled.
  for await (const chunk of file.readable) {
    md5.update(chunk);
    sha.update(chunk);
  }
  return { md5: md5.digest("hex"), sha256: sha.digest("hex") };
}

export { writeFileAtomic } from "../store/atomic.ts";

/** True when `path` exists and is a regular file. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
