/**
 * A small binary container for named tensors plus JSON metadata (weights, checkpoints):
 *   "HTSGDT01" | u32 LE header length | JSON header | zero padding to 4 bytes | raw LE data
 * The header lists each tensor's name, dtype, shape, offset and byte length, and the sha256 of
 * the data section, which is verified on read: a torn or corrupted file is an error.
 */
import { sha256Hex } from "./hash.ts";

const MAGIC = "HTSGDT01";

export type HostTensor = Float32Array | Uint32Array;

interface TensorEntry {
  name: string;
  dtype: "f32" | "u32";
  length: number;
  offset: number;
}

interface Header {
  tensors: TensorEntry[];
  meta: unknown;
  sha256: string;
}

export function encodeTensors(meta: unknown, tensors: Record<string, HostTensor>): Uint8Array {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    entries.push({ name, dtype: t instanceof Float32Array ? "f32" : "u32", length: t.length, offset });
    offset += t.byteLength;
  }
  const data = new Uint8Array(offset);
  for (const e of entries) {
    const t = tensors[e.name];
    data.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), e.offset);
  }
  const header: Header = { tensors: entries, meta, sha256: sha256Hex(data) };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + headerBytes.length) / 4) * 4;
  const out = new Uint8Array(start + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  out.set(data, start);
  return out;
}

export class CorruptFileError extends Error {
  constructor(what: string, detail: string) {
    super(`${what}: ${detail}`);
    this.name = "CorruptFileError";
  }
}

export function decodeTensors(bytes: Uint8Array, what = "tensor file"): {
  meta: unknown;
  tensors: Record<string, HostTensor>;
} {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new CorruptFileError(what, "not an htsgd tensor file (bad magic)");
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new CorruptFileError(what, "truncated header");
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw new CorruptFileError(what, "unreadable header");
  }
  const start = Math.ceil((12 + headerLength) / 4) * 4;
  const data = bytes.slice(start);
  if (sha256Hex(data) !== header.sha256) throw new CorruptFileError(what, "checksum mismatch (torn or corrupted)");
  const tensors: Record<string, HostTensor> = {};
  for (const e of header.tensors) {
    const end = e.offset + 4 * e.length;
    if (end > data.length) throw new CorruptFileError(what, `tensor ${e.name} runs past the end`);
    const buf = data.buffer.slice(e.offset, end);
    tensors[e.name] = e.dtype === "f32" ? new Float32Array(buf) : new Uint32Array(buf);
  }
  return { meta: header.meta, tensors };
}
