/**
 * UCR / UEA time-series text formats, one series per line:
 * - "txt" (UCR 2015 archive): whitespace separated, the class label first (e.g. `1.0000000e+00`);
 * - "tsv" (UCR 2018 archive): tab separated, the class label first;
 * - "ts"  (sktime/aeon): `@` header lines up to `@data`, then `v1,v2,...,vL:label`; `#` comments.
 */

import { DataFormatError, finiteFloat32 } from "./dataset.ts";

export type UcrFormat = "txt" | "tsv" | "ts";

export interface UcrSeries {
  /** n×length row-major values. */
  values: Float32Array;
  /** The class label of each row, as written in the file. */
  labels: number[];
  n: number;
}

export interface UcrExpectations {
  length: number;
  /** Allowed class labels (as integers). */
  classes: readonly number[];
}

/** The format implied by a file name's extension, or undefined. */
export function ucrFormatOf(path: string): UcrFormat | undefined {
  const m = /\.(txt|tsv|ts)$/i.exec(path);
  return m ? m[1].toLowerCase() as UcrFormat : undefined;
}

function splitRow(line: string, format: UcrFormat): { label: string; values: string[] } | null {
  if (format === "txt") {
    const fields = line.trim().split(/\s+/);
    return { label: fields[0], values: fields.slice(1) };
  }
  if (format === "tsv") {
    const fields = line.replace(/\r$/, "").split("\t");
    return { label: fields[0], values: fields.slice(1) };
  }
  const colon = line.lastIndexOf(":");
  if (colon < 0) return null;
  return { label: line.slice(colon + 1).trim(), values: line.slice(0, colon).split(",") };
}

/** Parses a number field strictly: decimal/exponent notation only, finite. */
function parseField(text: string): number {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

export function parseUcr(
  text: string,
  file: string,
  format: UcrFormat,
  expect: UcrExpectations,
): UcrSeries {
  const lines = text.split("\n");
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  let inData = format !== "ts";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const where = `line ${i + 1}`;
    if (line.trim() === "") continue;
    if (format === "ts" && !inData) {
      const t = line.trim();
      if (t.startsWith("#")) continue;
      if (!t.startsWith("@")) {
        throw new DataFormatError(file, `${where}: expected @header or @data`);
      }
      if (t.toLowerCase() === "@data") inData = true;
      continue;
    }
    const row = splitRow(line, format);
    if (!row) throw new DataFormatError(file, `${where}: no ":label" at the end of the row`);
    if (row.values.length !== expect.length) {
      throw new DataFormatError(
        file,
        `${where}: ${row.values.length} values, expected ${expect.length}`,
      );
    }
    const label = parseField(row.label);
    if (!Number.isInteger(label) || !expect.classes.includes(label)) {
      throw new DataFormatError(
        file,
        `${where}: class label "${row.label}" is not one of ${expect.classes.join(", ")}`,
      );
    }
    const values = new Float32Array(expect.length);
    for (let j = 0; j < expect.length; j++) {
      // Checked after rounding to float32: 1e300 is finite in float64 but Infinity stored.
      const v = finiteFloat32(parseField(row.values[j]));
      if (v === undefined) {
        throw new DataFormatError(
          file,
          `${where}: value ${j + 1} "${row.values[j]}" is not a finite float32 number`,
        );
      }
      values[j] = v;
    }
    rows.push(values);
    labels.push(label);
  }
  if (!inData) throw new DataFormatError(file, "no @data line");
  if (rows.length === 0) throw new DataFormatError(file, "no data rows");
  const out = new Float32Array(rows.length * expect.length);
  rows.forEach((r, i) => out.set(r, i * expect.length));
  return { values: out, labels, n: rows.length };
}
