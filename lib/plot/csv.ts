/**
 * CSV for figure data (RFC 4180): a header row, "\n" line ends, fields quoted when they hold a
 * comma, quote, line break or edge whitespace. Numbers are written as JavaScript prints them,
 * which round-trips every float64 exactly; null/undefined are empty, "" is written as `""`.
 */

/** The CSV text of one value. */
export function csvField(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) return "";
  else if (typeof value === "number") text = Object.is(value, -0) ? "-0" : String(value);
  else if (typeof value === "string") text = value;
  else if (typeof value === "boolean" || typeof value === "bigint") text = String(value);
  else if (value instanceof Date) text = value.toISOString();
  else text = JSON.stringify(value) ?? "";
  return text === "" || /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Column names in first-seen order across all rows. */
export function columnsOf(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** CSV text of `rows` with a header of `columns` (default: every key, first-seen order). */
export function toCsv(
  rows: Record<string, unknown>[],
  columns: string[] = columnsOf(rows),
): string {
  if (columns.length === 0) throw new Error("CSV needs at least one column");
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(","));
  return lines.join("\n") + "\n";
}

/** Parses CSV text into rows of fields (quoted or not); accepts "\n" and "\r\n" line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let state: "start" | "plain" | "quoted" | "closed" = "start";
  const endField = () => {
    row.push(field);
    field = "";
    state = "start";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (state === "quoted") {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') field += text[i++];
      else state = "closed";
    } else if (ch === ",") endField();
    else if (ch === "\n" || ch === "\r") {
      endField();
      rows.push(row);
      row = [];
      if (ch === "\r" && text[i + 1] === "\n") i++;
    } else if (state === "closed") {
      throw new Error(`CSV: unexpected character after a closing quote at offset ${i}`);
    } else if (ch === '"') {
      if (state === "plain") {
        throw new Error(`CSV: stray quote in an unquoted field at offset ${i}`);
      }
      state = "quoted";
    } else {
      field += ch;
      state = "plain";
    }
  }
  if (state === "quoted") throw new Error("CSV: unterminated quoted field");
  if (state !== "start" || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}
