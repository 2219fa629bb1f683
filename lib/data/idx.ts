/**
 * IDX files (MNIST, Fashion-MNIST). Layout: a 4-byte big-endian magic whose third byte is the
 * element type (0x08 = u8) and fourth the number of dimensions, then one big-endian u32 per
 * dimension, then the elements. Images use magic 0x00000803 (n, rows, cols); labels 0x00000801 (n).
 */

import { DataFormatError, type Split } from "./dataset.ts";
import { type ChannelStats, normaliseU8Images } from "./normalise.ts";
import { readMaybeGzip } from "./bytes.ts";

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxArray {
  dims: number[];
  /** The u8 elements (a view into the file's bytes). */
  data: Uint8Array;
}

/** Parses one IDX u8 array; `file` names the source in error messages. */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic: number): IdxArray {
  if (bytes.length < 4) throw new DataFormatError(file, `too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new DataFormatError(
      file,
      `bad IDX magic 0x${hex8(magic)}, expected 0x${hex8(expectedMagic)}`,
    );
  }
  const ndims = magic & 0xff;
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw new DataFormatError(file, `truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - header;
  if (actual < expected) {
    throw new DataFormatError(
      file,
      `truncated: dims [${dims}] need ${expected} data bytes, file has ${actual}`,
    );
  }
  if (actual > expected) {
    throw new DataFormatError(
      file,
      `${actual - expected} unexpected trailing bytes after dims [${dims}]`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

export interface IdxPairOptions {
  /** Required image height and width (28×28 for MNIST and Fashion-MNIST). */
  rows: number;
  cols: number;
  numClasses: number;
  stats: ChannelStats;
}

/** Loads an image file and its label file (plain or gzip) into a normalised split. */
export async function loadIdxSplit(
  imagesPath: string,
  labelsPath: string,
  opts: IdxPairOptions,
): Promise<Split> {
  const images = parseIdx(await readMaybeGzip(imagesPath), imagesPath, IDX_IMAGES_MAGIC);
  const labels = parseIdx(await readMaybeGzip(labelsPath), labelsPath, IDX_LABELS_MAGIC);
  const [n, rows, cols] = images.dims;
  if (rows !== opts.rows || cols !== opts.cols) {
    throw new DataFormatError(
      imagesPath,
      `images are ${rows}×${cols}, expected ${opts.rows}×${opts.cols}`,
    );
  }
  if (labels.dims[0] !== n) {
    throw new DataFormatError(
      labelsPath,
      `${labels.dims[0]} labels but ${imagesPath} has ${n} images`,
    );
  }
  const y = new Uint8Array(labels.data);
  for (let i = 0; i < n; i++) {
    if (y[i] >= opts.numClasses) {
      throw new DataFormatError(
        labelsPath,
        `label ${y[i]} at index ${i} is out of range 0..${opts.numClasses - 1}`,
      );
    }
  }
  const dim = rows * cols;
  const x = new Float32Array(n * dim);
  normaliseU8Images(images.data, 0, dim, n, dim, opts.stats, x, 0);
  return { x, y, n };
}
