/**
 * JSON lines read at a boundary (the side-by-side result files under bench/results/): each
 * non-blank line parsed and checked against a schema, errors naming the file's line number
 * (blank lines are skipped, not renumbered).
 */
import type { z } from "zod";

export type ParsedLines<T> = { lines: { line: number; value: T }[] } | { error: string };

/** Parses `text` line by line with `schema`; lines for which `skip` is true are left out. */
export function parseJsonLines<S extends z.ZodType>(
  text: string,
  schema: S,
  skip: (parsed: unknown) => boolean = () => false,
): ParsedLines<z.infer<S>> {
  const lines: { line: number; value: z.infer<S> }[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    if (raw.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { error: `line ${i + 1} is not JSON` };
    }
    if (skip(parsed)) continue;
    const r = schema.safeParse(parsed);
    if (!r.success) return { error: `line ${i + 1}: ${r.error.issues[0]?.message ?? "invalid"}` };
    lines.push({ line: i + 1, value: r.data });
  }
  return { lines };
}
