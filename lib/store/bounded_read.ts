/**
 * Reads of files the program did not just write (a store's records, weights and checkpoints, an
 * imported file, a grid or data file) with two checks before any byte is read: the path (after
 * symbolic links) must be a regular file, and its size must be within a limit the caller gives.
 * So a record.json linked to /dev/zero, a FIFO or a huge sparse file is refused at once with an
 * error naming the path, instead of growing memory until the process dies.
 *
 * A missing file is Deno.errors.NotFound, as from Deno.readFile, so callers that treat "absent"
 * specially keep doing so.
 */

/** Size limits for the files this project reads, in bytes. */
export const READ_LIMITS = {
  /** A store's record.json (config, metrics and history): far above any real one. */
  record: 256 * 2 ** 20,
  /** A weights.htt, checkpoint or imported weight file (every weight of the largest model). */
  tensors: 8 * 2 ** 30,
  /** A data set file (an MNIST idx file, a CIFAR archive, a UCR or .npy split). */
  data: 2 ** 30,
  /** A JSON or text file given on the command line (a config, a grid, bench records). */
  text: 64 * 2 ** 20,
} as const;

/** A file that is not a regular file, or larger than its limit; the message names the path. */
export class UnreadableFileError extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(`${path}: ${detail}`);
    this.name = "UnreadableFileError";
  }
}

function size(bytes: number): string {
  if (bytes >= 2 ** 30) return `${+(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${+(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a folder";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function check(path: string, info: Deno.FileInfo, limit: number, what: string): void {
  if (!info.isFile) {
    throw new UnreadableFileError(
      path,
      `${what} must be a regular file, but this is ${kindOf(info)}; refused without reading it`,
    );
  }
  if (info.size > limit) {
    throw new UnreadableFileError(
      path,
      `${what} is ${size(info.size)}, over the ${size(limit)} limit for such a file; refused ` +
        `without reading it`,
    );
  }
}

/**
 * The bytes of the regular file at `path` (symbolic links followed), at most `limit` of them;
 * `what` names the file in errors ("run record", "weights file", …). Anything else, or a file that
 * grows past `limit` while it is read, is an UnreadableFileError naming the path.
 */
export async function readFileBounded(
  path: string,
  limit: number,
  what = "the file",
): Promise<Uint8Array> {
  // stat before open: opening a FIFO would block until a writer appears.
  check(path, await Deno.stat(path), limit, what);
  const file = await Deno.open(path, { read: true });
  try {
    const info = await file.stat(); // the file actually opened (it may have been swapped)
    check(path, info, limit, what);
    const chunks: Uint8Array[] = [];
    let total = 0;
    // Read until EOF (not just info.size bytes: the file may change meanwhile), never past limit.
    while (true) {
      const buf = new Uint8Array(Math.min(Math.max(info.size - total, 1 << 16), limit + 1 - total));
      const n = await file.read(buf);
      if (n === null) break;
      total += n;
      if (total > limit) {
        throw new UnreadableFileError(
          path,
          `${what} grew past the ${size(limit)} limit while read`,
        );
      }
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } finally {
    file.close();
  }
}

/** Like readFileBounded, decoded as UTF-8 (invalid sequences become U+FFFD, as Deno.readTextFile). */
export async function readTextFileBounded(
  path: string,
  limit: number = READ_LIMITS.text,
  what = "the file",
): Promise<string> {
  return new TextDecoder().decode(await readFileBounded(path, limit, what));
}
