/**
 * Canonical JSON and the content keys of the results store. Two configs that differ only in key
 * order or in properties set to `undefined` get the same key; any change of value changes it.
 */
import { createHash } from "node:crypto";

/** A value that cannot be written as canonical JSON (NaN, a function, a Map, …). */
export class CanonicalJsonError extends Error {
  constructor(path: string, what: string) {
    super(`cannot hash ${path}: ${what} has no canonical JSON form`);
    this.name = "CanonicalJsonError";
  }
}

/**
 * JSON with object keys sorted (by UTF-16 code units) at every level, no whitespace, properties
 * holding `undefined` left out, and numbers as JavaScript prints them (`-0` prints as `0`).
 * Non-finite numbers, functions, symbols, bigints, `undefined` array elements and objects other
 * than plain objects and arrays are errors (they would otherwise hash ambiguously).
 */
export function canonicalJson(value: unknown): string {
  return write(value, "$");
}

function write(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, String(value));
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new CanonicalJsonError(path, `a ${typeof value}`);
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => {
      if (item === undefined) throw new CanonicalJsonError(`${path}[${i}]`, "undefined");
      return write(item, `${path}[${i}]`);
    });
    return `[${items.join(",")}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError(path, `a ${proto?.constructor?.name ?? "non-plain"} object`);
  }
  const obj = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] === undefined) continue;
    fields.push(`${JSON.stringify(key)}:${write(obj[key], `${path}.${key}`)}`);
  }
  return `{${fields.join(",")}}`;
}

/** Lower-case hex sha256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The store key of a run: 16 hex chars of sha256(canonicalJson({ config, codeVersion })). */
export function configKey(config: unknown, codeVersion: string): string {
  return sha256Hex(canonicalJson({ config, codeVersion })).slice(0, 16);
}
