/**
 * A small binary container for named tensors plus JSON metadata (final weights, checkpoints):
 *
 *   "HTSGDT01" | u32 LE header length | JSON header | zero padding to 4 bytes | payload
 *
 * The header is `{ version, tensors: [{ name, dtype, shape, offset, byteLength }], meta,
 * payloadBytes, sha256 }`; offsets are relative to the payload, which holds each tensor's raw
 * little-endian elements, 4-byte aligned. `sha256` covers the header text without that field
 * followed by the payload, so a torn, truncated or corrupted file is an error on read, never
 * silently accepted.
 */
import { z } from "zod";
import { sha256Hex } from "./hash.ts";

export const TENSOR_MAGIC = "HTSGDT01";
const PREFIX = 12; // magic + u32 header length

export type HostTensor = Float32Array | Uint32Array;
export interface ShapedTensor {
  data: HostTensor;
  shape: number[];
}
export type DType = "float32" | "uint32";

export interface DecodedTensors {
  meta: unknown;
  /** Flat element arrays, by name, in file order. */
  tensors: Record<string, HostTensor>;
  shapes: Record<string, number[]>;
}

/** A tensor file that is truncated, corrupted or not a tensor file at all. */
export class CorruptFileError extends Error {
  constructor(readonly source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = "CorruptFileError";
  }
}

const EntrySchema = z.object({
  name: z.string().min(1),
  dtype: z.enum(["float32", "uint32"]),
  shape: z.array(z.number().int().nonnegative()),
  offset: z.number().int().nonnegative(),
  byteLength: z.number().int().nonnegative(),
});
const HeaderSchema = z.object({
  version: z.literal(1),
  tensors: z.array(EntrySchema),
  meta: z.unknown(),
  payloadBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
type Entry = z.infer<typeof EntrySchema>;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new Error("tensor files need a little-endian host");
}

const align4 = (n: number) => Math.ceil(n / 4) * 4;
const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function normalise(name: string, t: HostTensor | ShapedTensor): ShapedTensor {
  const shaped = t instanceof Float32Array || t instanceof Uint32Array
    ? { data: t, shape: [t.length] }
    : t;
  if (!(shaped.data instanceof Float32Array || shaped.data instanceof Uint32Array)) {
    throw new TypeError(`tensor "${name}": data must be a Float32Array or Uint32Array`);
  }
  if (!shaped.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`tensor "${name}": shape [${shaped.shape}] must be non-negative integers`);
  }
  if (product(shaped.shape) !== shaped.data.length) {
    throw new TypeError(
      `tensor "${name}": shape [${shaped.shape}] does not match ${shaped.data.length} elements`,
    );
  }
  return shaped;
}

/** Serialises `meta` (JSON; NaN/Infinity become null) and the named tensors, in key order. */
export function encodeTensors(
  meta: unknown,
  tensors: Record<string, HostTensor | ShapedTensor>,
): Uint8Array {
  requireLittleEndian();
  const entries: Entry[] = [];
  const parts: HostTensor[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "") throw new TypeError("tensor names must not be empty");
    const { data, shape } = normalise(name, t);
    const dtype: DType = data instanceof Float32Array ? "float32" : "uint32";
    entries.push({ name, dtype, shape: [...shape], offset, byteLength: data.byteLength });
    parts.push(data);
    offset += data.byteLength; // always a multiple of 4
  }
  const payload = new Uint8Array(offset);
  entries.forEach((e, i) => {
    const t = parts[i];
    payload.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), e.offset);
  });
  let body: string;
  try {
    body = JSON.stringify({
      version: 1,
      tensors: entries,
      meta: meta ?? null,
      payloadBytes: offset,
    });
  } catch (err) {
    throw new TypeError(`tensor file meta is not JSON-serialisable: ${(err as Error).message}`);
  }
  const sha256 = digest(body, payload);
  const headerBytes = new TextEncoder().encode(`${body.slice(0, -1)},"sha256":"${sha256}"}`);
  const start = align4(PREFIX + headerBytes.length);
  const out = new Uint8Array(start + payload.length);
  out.set(new TextEncoder().encode(TENSOR_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, PREFIX);
  out.set(payload, start);
  return out;
}

function digest(headerText: string, payload: Uint8Array): string {
  const head = new TextEncoder().encode(headerText);
  const all = new Uint8Array(head.length + payload.length);
  all.set(head, 0);
  all.set(payload, head.length);
  return sha256Hex(all);
}

/** Parses and verifies a tensor file; `source` names it in errors. Tensors are fresh copies. */
export function decodeTensors(bytes: Uint8Array, source = "tensor file"): DecodedTensors {
  requireLittleEndian();
  const fail = (detail: string): never => {
    throw new CorruptFileError(source, detail);
  };
  if (bytes.length < PREFIX || new TextDecoder().decode(bytes.subarray(0, 8)) !== TENSOR_MAGIC) {
    fail(`not an htsgd tensor file (expected magic "${TENSOR_MAGIC}")`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .getUint32(8, true);
  if (PREFIX + headerLength > bytes.length) {
    fail(`truncated: header needs ${PREFIX + headerLength} bytes, file has ${bytes.length}`);
  }
  let raw: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true })
      .decode(bytes.subarray(PREFIX, PREFIX + headerLength));
    raw = JSON.parse(text);
  } catch {
    fail("corrupted header (not valid JSON)");
  }
  const parsed = HeaderSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`corrupted header (${issue.path.join(".") || "header"}: ${issue.message})`);
  }
  const header = parsed.data!;
  const start = align4(PREFIX + headerLength);
  const expected = start + header.payloadBytes;
  if (bytes.length !== expected) {
    fail(
      `${bytes.length < expected ? "truncated" : "trailing bytes"}: expected ${expected} ` +
        `bytes, file has ${bytes.length}`,
    );
  }
  if (bytes.subarray(PREFIX + headerLength, start).some((b) => b !== 0)) {
    fail("corrupted padding after the header");
  }
  const payload = bytes.subarray(start);
  const { sha256, ...rest } = raw as Record<string, unknown>;
  if (digest(JSON.stringify(rest), payload) !== sha256) {
    fail("checksum mismatch (the file is torn or corrupted)");
  }
  return unpack(header.tensors, header.meta, payload, fail);
}

function unpack(
  entries: Entry[],
  meta: unknown,
  payload: Uint8Array,
  fail: (detail: string) => never,
): DecodedTensors {
  const tensors: Record<string, HostTensor> = {};
  const shapes: Record<string, number[]> = {};
  for (const e of entries) {
    if (Object.hasOwn(tensors, e.name)) fail(`tensor "${e.name}" appears twice`);
    const end = e.offset + e.byteLength;
    if (e.offset % 4 !== 0 || end > payload.length || e.byteLength !== 4 * product(e.shape)) {
      fail(`tensor "${e.name}" has an inconsistent offset, size or shape`);
    }
    const buf = payload.slice(e.offset, end).buffer;
    tensors[e.name] = e.dtype === "float32" ? new Float32Array(buf) : new Uint32Array(buf);
    shapes[e.name] = e.shape;
  }
  return { meta, tensors, shapes };
}
