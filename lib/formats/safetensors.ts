/**
 * The safetensors format (huggingface/safetensors), written and read from its specification:
 *
 *   u64 LE N | N bytes of UTF-8 JSON header | data buffer
 *
 * The header maps each tensor name to `{ "dtype": "F32", "shape": [out, in], "data_offsets":
 * [begin, end] }` (offsets relative to the start of the data buffer, little-endian elements, C
 * order) plus an optional `"__metadata__"` string→string map. The writer pads the header with
 * spaces so the data starts on an 8-byte boundary. The reader checks that every tensor's byte
 * span matches its dtype and shape, that the spans neither overlap nor leave holes and cover the
 * buffer exactly, and that the header fits the file, naming the tensor at fault.
 */
import { halfToNumber } from "./npy.ts";

/** A file that is not a valid safetensors file, or holds a tensor htsgd cannot use. */
export class SafetensorsError extends Error {
  constructor(readonly source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = "SafetensorsError";
  }
}

/** Bytes per element of every safetensors dtype. */
export const ST_DTYPE_SIZES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** The float dtypes the reader converts to float32 (F32 as is; F64 rounded; F16/BF16 exact). */
export const ST_FLOAT_DTYPES = ["F32", "F64", "F16", "BF16"] as const;
export type StFloatDtype = typeof ST_FLOAT_DTYPES[number];

export interface StEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface StHeader {
  entries: StEntry[];
  metadata: Record<string, string>;
  /** Offset of the data buffer in the file. */
  dataStart: number;
}

/** Largest header accepted (the reference implementation's limit). */
const MAX_HEADER = 100_000_000;

const isNonNegInt = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Parses and checks a safetensors header against the file's size. */
export function parseSafetensorsHeader(bytes: Uint8Array, source = "safetensors file"): StHeader {
  const fail = (detail: string): never => {
    throw new SafetensorsError(source, detail);
  };
  const { json, dataStart } = headerJson(bytes, fail);
  let metadata: Record<string, string> = {};
  const entries: StEntry[] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === "__metadata__") metadata = parseMetadata(raw, fail);
    else entries.push(parseEntry(name, raw, fail));
  }
  checkCoverage(entries, bytes.length - dataStart, fail);
  return { entries, metadata, dataStart };
}

type Fail = (detail: string) => never;

/** The header's JSON object and where the data buffer starts (after the u64 length + header). */
function headerJson(bytes: Uint8Array, fail: Fail) {
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, not even the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    fail(
      `truncated header: it claims ${n} bytes, the file has ${bytes.length - 8} after the ` +
        `length field`,
    );
  }
  if (n > BigInt(MAX_HEADER)) fail(`header of ${n} bytes exceeds the ${MAX_HEADER}-byte limit`);
  const dataStart = 8 + Number(n);
  let json: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart));
    if (!text.startsWith("{")) throw new Error("no object");
    json = JSON.parse(text);
  } catch {
    fail("header is not a JSON object (not a safetensors file, or a corrupted one)");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    fail("header is not a JSON object");
  }
  return { json: json as Record<string, unknown>, dataStart };
}

/** `__metadata__`: a string → string map. */
function parseMetadata(raw: unknown, fail: Fail): Record<string, string> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    fail("__metadata__ must be a string→string map");
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`__metadata__.${k} must be a string`);
    // defineProperty: a key "__proto__" stays an ordinary entry (assignment would set the prototype).
    Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true });
  }
  return metadata;
}

/** One tensor's entry: a known dtype, a shape, and offsets spanning exactly its bytes. */
function parseEntry(name: string, raw: unknown, fail: Fail): StEntry {
  const info = raw as Record<string, unknown>;
  if (info === null || typeof info !== "object") fail(`tensor "${name}": entry is not an object`);
  const dtype = info.dtype;
  // Own keys only: "toString" or "__proto__" must read as unknown, not as an inherited member.
  if (typeof dtype !== "string" || !Object.hasOwn(ST_DTYPE_SIZES, dtype)) {
    fail(
      `tensor "${name}": unknown dtype ${JSON.stringify(dtype)} (one of ${
        Object.keys(ST_DTYPE_SIZES).join(", ")
      })`,
    );
  }
  const shape = info.shape;
  if (!Array.isArray(shape) || !shape.every(isNonNegInt)) {
    fail(`tensor "${name}": shape must be an array of non-negative integers`);
  }
  const offsets = info.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt)) {
    fail(`tensor "${name}": data_offsets must be [begin, end] non-negative integers`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) {
    fail(`tensor "${name}": data_offsets [${begin}, ${end}] end before they begin`);
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const need = count * ST_DTYPE_SIZES[dtype as string];
  if (end - begin !== need) {
    fail(
      `tensor "${name}": shape [${shape}] of ${dtype} needs ${need} bytes, data_offsets ` +
        `[${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype: dtype as string, shape: [...shape as number[]], begin, end };
}

/** The tensors tile the data buffer exactly: no overlap, no hole, nothing past its end. */
function checkCoverage(entries: readonly StEntry[], bufferBytes: number, fail: Fail): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: StEntry | undefined;
  for (const e of sorted) {
    if (e.begin < at) {
      fail(`tensors "${prev!.name}" and "${e.name}" overlap (bytes ${e.begin}–${at})`);
    }
    if (e.begin > at) {
      fail(`hole in the data buffer before tensor "${e.name}" (bytes ${at}–${e.begin})`);
    }
    if (e.end > bufferBytes) {
      fail(
        `tensor "${e.name}": data_offsets end at ${e.end}, the data buffer holds only ` +
          `${bufferBytes} bytes (truncated file?)`,
      );
    }
    at = e.end;
    prev = e;
  }
  if (at !== bufferBytes) {
    fail(`the data buffer holds ${bufferBytes} bytes, the tensors cover only ${at}`);
  }
}

export interface StFloatTensor {
  name: string;
  /** The dtype in the file (the data is converted to float32). */
  dtype: StFloatDtype;
  shape: number[];
  data: Float32Array;
}

/** Reads every tensor as float32; a non-float tensor is an error naming it. File order kept. */
export function readSafetensorsF32(
  bytes: Uint8Array,
  source = "safetensors file",
): { tensors: StFloatTensor[]; metadata: Record<string, string> } {
  const header = parseSafetensorsHeader(bytes, source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = header.entries.map((e): StFloatTensor => {
    if (!(ST_FLOAT_DTYPES as readonly string[]).includes(e.dtype)) {
      throw new SafetensorsError(
        source,
        `tensor "${e.name}" has dtype ${e.dtype}; weights must be F32 (F64, F16 and BF16 are ` +
          `converted to F32)`,
      );
    }
    const n = e.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const at = header.dataStart + e.begin;
    for (let k = 0; k < n; k++) {
      switch (e.dtype) {
        case "F32":
          data[k] = view.getFloat32(at + 4 * k, true);
          break;
        case "F64": {
          // Rounded to float32, then checked: 1e300 is finite in F64 but +Infinity in F32.
          const v = view.getFloat64(at + 8 * k, true);
          data[k] = v;
          if (Number.isFinite(v) && !Number.isFinite(data[k])) {
            throw new SafetensorsError(
              source,
              `tensor "${e.name}": F64 value ${v} (element ${k}) is beyond float32's range ` +
                `(±3.4028235e38); it would become ${data[k]}`,
            );
          }
          break;
        }
        case "F16":
          data[k] = halfToNumber(view.getUint16(at + 2 * k, true));
          break;
        case "BF16":
          data[k] = bf16Bits(view.getUint16(at + 2 * k, true));
          break;
      }
    }
    return { name: e.name, dtype: e.dtype as StFloatDtype, shape: e.shape, data };
  });
  return { tensors, metadata: header.metadata };
}

const scratch = new DataView(new ArrayBuffer(4));
function bf16Bits(h: number): number {
  scratch.setUint32(0, h << 16, false);
  return scratch.getFloat32(0, false);
}
/** A safetensors file of F32 tensors, in the given order, with optional string metadata. */
export function encodeSafetensors(
  tensors: { name: string; shape: number[]; data: Float32Array }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === "__metadata__" || Object.hasOwn(header, t.name)) {
      throw new TypeError(`safetensors: bad or repeated tensor name "${t.name}"`);
    }
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new TypeError(`safetensors: "${t.name}" shape [${t.shape}] ≠ ${t.data.length} values`);
    }
    Object.defineProperty(header, t.name, {
      value: { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * count] },
      enumerable: true,
    });
    offset += 4 * count;
  }
  let text = JSON.stringify(header);
  text += " ".repeat((8 - ((8 + new TextEncoder().encode(text).length) % 8)) % 8);
  const head = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    for (let k = 0; k < t.data.length; k++) view.setFloat32(at + 4 * k, t.data[k], true);
    at += 4 * t.data.length;
  }
  return out;
}
