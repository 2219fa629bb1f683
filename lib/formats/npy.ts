/**
 * NumPy's `.npy` format (numpy.lib.format), written and read from its specification:
 *
 *   "\x93NUMPY" | major u8 | minor u8 | header length (u16 LE for v1, u32 LE for v2 and v3) |
 *   header: a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`
 *   padded with spaces and ended by "\n" so the data starts on a 64-byte boundary | raw data.
 *
 * Version 3 only differs from 2 in that the header is UTF-8 (not latin-1). The reader accepts the
 * numeric dtypes `f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1` in either byte order (`<`, `>`, `|`, `=`)
 * and Fortran order (transposed to C order); structured and object dtypes are refused. The
 * writer emits v1.0 with `<f4` (or `<f8`, `<i8`), C order. Shared by `deno task export` and the
 * ECG5000 loader (the authors' four-`.npy` layout).
 */

export const NPY_MAGIC = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** A file that is not a valid (supported) `.npy` file; the message names the file. */
export class NpyFormatError extends Error {
  constructor(readonly source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = "NpyFormatError";
  }
}

export interface NpyArray {
  /** The dtype string as written, e.g. "<f4". */
  descr: string;
  shape: number[];
  /** Whether the file stored the data in Fortran (column-major) order. */
  fortranOrder: boolean;
  /** Every element as a float64, in C (row-major) order. */
  values: Float64Array;
}

// ---------------------------------------------------------------------------------------------
// Header dict: a tiny parser for the Python literals numpy writes (dict, str, bool, int, tuple).

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/**
 * Deepest nesting of dicts, tuples and lists accepted in a header. numpy's own headers nest 2
 * deep (a dict holding the shape tuple; structured dtypes, refused anyway, a few more); the limit
 * turns a hostile header into an error naming the file instead of a stack overflow.
 */
export const MAX_HEADER_DEPTH = 32;

function parsePyLiteral(text: string, fail: (d: string) => never): PyValue {
  let i = 0;
  let depth = 0;
  const enter = () => {
    if (++depth > MAX_HEADER_DEPTH) {
      fail(`header nests deeper than ${MAX_HEADER_DEPTH} levels of dicts, tuples or lists`);
    }
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      enter();
      // No prototype: a key "__proto__" or "toString" is an ordinary entry, never inherited.
      const out: Record<string, PyValue> = Object.create(null);
      for (;;) {
        ws();
        if (text[i] === "}") {
          i++;
          depth--;
          return out;
        }
        const k = value();
        if (typeof k !== "string") fail("header dict keys must be strings");
        ws();
        if (text[i++] !== ":") fail("header dict: expected ':'");
        out[k as string] = value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== "}") fail("header dict: expected ',' or '}'");
      }
    }
    if (c === "(" || c === "[") {
      const close = c === "(" ? ")" : "]";
      i++;
      enter();
      const out: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          depth--;
          return out;
        }
        out.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== close) fail(`header: expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail("header: unterminated string");
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i));
    if (!m) fail(`header: unexpected "${text.slice(i, i + 10)}"`);
    i += m![0].length;
    if (m![0] === "True") return true;
    if (m![0] === "False") return false;
    if (m![0] === "None") return null;
    return Number(m![0].replace(/L$/, ""));
  };
  const v = value();
  ws();
  if (i !== text.length) fail("header: trailing characters after the dict");
  return v;
}

// ---------------------------------------------------------------------------------------------
// dtypes

interface DtypeInfo {
  kind: "f" | "i" | "u" | "b";
  size: number;
  little: boolean;
}

/** Parses a descr such as "<f4", ">i8", "|u1"; undefined when unsupported. */
export function parseDescr(descr: string): DtypeInfo | undefined {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) return undefined;
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  const sizes: Record<string, number[]> = {
    f: [2, 4, 8],
    i: [1, 2, 4, 8],
    u: [1, 2, 4, 8],
    b: [1],
  };
  if (!sizes[kind].includes(size)) return undefined;
  if (order === "|" && size !== 1) return undefined;
  return { kind: kind as DtypeInfo["kind"], size, little: order !== ">" };
}

/** IEEE 754 binary16 bits → number (exact). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function readElement(view: DataView, at: number, t: DtypeInfo, fail: (d: string) => never): number {
  const le = t.little;
  switch (t.kind) {
    case "f":
      if (t.size === 2) return halfToNumber(view.getUint16(at, le));
      return t.size === 4 ? view.getFloat32(at, le) : view.getFloat64(at, le);
    case "b":
      return view.getUint8(at) ? 1 : 0;
    case "i":
    case "u": {
      if (t.size === 1) return t.kind === "i" ? view.getInt8(at) : view.getUint8(at);
      if (t.size === 2) return t.kind === "i" ? view.getInt16(at, le) : view.getUint16(at, le);
      if (t.size === 4) return t.kind === "i" ? view.getInt32(at, le) : view.getUint32(at, le);
      const big = t.kind === "i" ? view.getBigInt64(at, le) : view.getBigUint64(at, le);
      const n = Number(big);
      if (!Number.isSafeInteger(n)) fail(`integer ${big} does not fit a float64 exactly`);
      return n;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reader

/** Parses a `.npy` file; `source` names it in errors. */
export function decodeNpy(bytes: Uint8Array, source = "npy file"): NpyArray {
  const fail = (detail: string): never => {
    throw new NpyFormatError(source, detail);
  };
  if (bytes.length < 10 || !NPY_MAGIC.every((b, i) => bytes[i] === b)) {
    fail('not a .npy file (expected the magic "\\x93NUMPY")');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) {
    fail(`unsupported .npy version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  }
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail("truncated header");
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) {
    fail(
      `truncated: the header claims ${headerLen} bytes, the file has ${
        bytes.length - 8 - lenBytes
      }`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? "utf-8" : "latin1", { fatal: major === 3 })
      .decode(bytes.subarray(8 + lenBytes, dataStart));
  } catch {
    return fail("header is not valid UTF-8");
  }
  const dict = parsePyLiteral(text.trim(), fail);
  if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
    fail("header is not a dict");
  }
  const h = dict as Record<string, PyValue>;
  for (const k of ["descr", "fortran_order", "shape"]) {
    if (!Object.hasOwn(h, k)) fail(`header has no '${k}'`);
  }
  if (typeof h.descr !== "string") {
    fail(`structured dtype ${JSON.stringify(h.descr)} is not supported (need a numeric dtype)`);
  }
  const descr = h.descr as string;
  const dtype = parseDescr(descr);
  if (!dtype) {
    fail(`dtype '${descr}' is not supported (use f2/f4/f8, i1–i8, u1–u8 or b1, e.g. '<f4')`);
  }
  if (typeof h.fortran_order !== "boolean") fail("'fortran_order' must be True or False");
  if (
    !Array.isArray(h.shape) ||
    !h.shape.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0)
  ) {
    fail("'shape' must be a tuple of non-negative integers");
  }
  const shape = h.shape as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * dtype!.size;
  const have = bytes.length - dataStart;
  if (have !== need) {
    fail(
      `${have < need ? "truncated" : "trailing bytes"}: shape (${shape.join(", ")}) of ` +
        `'${descr}' needs ${need} data bytes, the file has ${have}`,
    );
  }
  const raw = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    raw[k] = readElement(view, dataStart + k * dtype!.size, dtype!, fail);
  }
  const fortranOrder = h.fortran_order as boolean;
  const values = fortranOrder && shape.length > 1 ? fortranToC(raw, shape) : raw;
  return { descr, shape: [...shape], fortranOrder, values };
}

/** Reorders column-major elements of `shape` into row-major order. */
function fortranToC(src: Float64Array, shape: number[]): Float64Array {
  const nd = shape.length;
  const out = new Float64Array(src.length);
  const fStride = new Array<number>(nd);
  let s = 1;
  for (let d = 0; d < nd; d++) {
    fStride[d] = s;
    s *= shape[d];
  }
  const idx = new Array<number>(nd).fill(0);
  for (let c = 0; c < out.length; c++) {
    let f = 0;
    for (let d = 0; d < nd; d++) f += idx[d] * fStride[d];
    out[c] = src[f];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writer

export type NpyWritable = Float32Array | Float64Array | BigInt64Array;

/** A `.npy` v1.0 file (little-endian, C order) holding `data` with `shape`. */
export function encodeNpy(data: NpyWritable, shape: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new TypeError(`npy: shape (${shape}) does not match ${data.length} elements`);
  }
  const descr = data instanceof Float32Array ? "<f4" : data instanceof Float64Array ? "<f8" : "<i8";
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1; // magic, version, u16 length, header, "\n"
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  if (header.length > 0xffff) throw new TypeError("npy: header too long for version 1.0");
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const at = 10 + header.length;
  for (let k = 0; k < data.length; k++) {
    if (data instanceof Float32Array) view.setFloat32(at + 4 * k, data[k], true);
    else if (data instanceof Float64Array) view.setFloat64(at + 8 * k, data[k], true);
    else view.setBigInt64(at + 8 * k, data[k], true);
  }
  return out;
}
