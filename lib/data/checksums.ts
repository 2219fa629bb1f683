/**
 * `<cache>/checksums.json`: the SHA-256 of every file in the data cache, recorded the first time
 * the file was verified (against a published MD5 where one exists; trust-on-first-use otherwise).
 * Later loads compare the file's SHA-256 with the record.
 *
 * Format: { "version": 1, "files": { "<dataset>/<file>": { sha256, md5, bytes, verifiedBy,
 * url?, recordedAt } } }
 */

import { READ_LIMITS, readTextFileBounded } from "../store/bounded_read.ts";
import { join } from "node:path";
import { z } from "zod";
import { DataFormatError } from "./dataset.ts";
import { writeFileAtomic } from "./bytes.ts";

export const CHECKSUMS_FILE = "checksums.json";

const ChecksumRecordSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  bytes: z.number().int().nonnegative(),
  /** "published-md5": matched the published MD5; "first-use": no published checksum existed. */
  verifiedBy: z.enum(["published-md5", "first-use"]),
  url: z.string().optional(),
  recordedAt: z.string(),
});

const ChecksumFileSchema = z.object({
  version: z.literal(1),
  files: z.record(z.string(), ChecksumRecordSchema),
});

export type ChecksumRecord = z.infer<typeof ChecksumRecordSchema>;
export type ChecksumFile = z.infer<typeof ChecksumFileSchema>;

/** The recorded checksums (empty when the file does not exist yet). */
export async function readChecksums(cacheDir: string): Promise<ChecksumFile> {
  const path = join(cacheDir, CHECKSUMS_FILE);
  let text: string;
  try {
    text = await readTextFileBounded(path, READ_LIMITS.text, "the checksum file");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { version: 1, files: {} };
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(path, `invalid JSON (${(e as Error).message})`);
  }
  const parsed = ChecksumFileSchema.safeParse(json);
  if (!parsed.success) throw new DataFormatError(path, z.prettifyError(parsed.error));
  return parsed.data;
}

/** Adds or replaces one record (re-reading the file first, then writing it atomically). */
export async function recordChecksum(
  cacheDir: string,
  key: string,
  record: ChecksumRecord,
): Promise<void> {
  const current = await readChecksums(cacheDir);
  current.files[key] = ChecksumRecordSchema.parse(record);
  const sorted = Object.fromEntries(
    Object.entries(current.files).sort(([a], [b]) => a < b ? -1 : 1),
  );
  await writeFileAtomic(
    join(cacheDir, CHECKSUMS_FILE),
    JSON.stringify({ version: 1, files: sorted }, null, 2) + "\n",
  );
}
