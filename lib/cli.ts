/**
 * Command-line parsing shared by scripts: node:util parseArgs in strict mode, with errors that
 * name the offending flag, and typed number/enum readers. A `UsageError` makes `runMain` exit
 * with code 2 before anything is written.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses `args` strictly: unknown flags and missing values raise a UsageError naming the flag. */
export function parseFlags<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

/** A number flag: finite, optionally integer and bounded; undefined stays undefined. */
export function numberFlag(
  name: string,
  raw: string | boolean | undefined | (string | boolean)[],
  opts: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw.trim() === "") {
    throw new UsageError(`--${name} needs a number`);
  }
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new UsageError(`--${name}: "${raw}" is not a number`);
  if (opts.integer && !Number.isInteger(v)) {
    throw new UsageError(`--${name}: "${raw}" is not an integer`);
  }
  if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) {
    throw new UsageError(`--${name}: ${v} must be ${opts.exclusiveMin ? ">" : "≥"} ${opts.min}`);
  }
  if (opts.max !== undefined && v > opts.max) {
    throw new UsageError(`--${name}: ${v} must be ≤ ${opts.max}`);
  }
  return v;
}

/** A flag whose value must be one of `choices`. */
export function choiceFlag<T extends string>(
  name: string,
  raw: string | boolean | undefined | (string | boolean)[],
  choices: readonly T[],
): T | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name}: "${raw}" is not one of ${choices.join(", ")}`);
  }
  return raw as T;
}

/** A comma-separated list of integers, e.g. --seeds 1,2,3 or a range 1-5. */
export function intListFlag(
  name: string,
  raw: string | boolean | undefined | (string | boolean)[],
) {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string") throw new UsageError(`--${name} needs a value`);
  const out: number[] = [];
  for (const part of raw.split(",")) {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 10000) throw new UsageError(`--${name}: bad range "${part}"`);
      for (let v = a; v <= b; v++) out.push(v);
    } else if (/^\d+$/.test(part.trim())) out.push(Number(part));
    else throw new UsageError(`--${name}: "${part}" is not an integer or a range a-b`);
  }
  return out;
}

/** Runs a script's main, turning UsageError into exit code 2 and other errors into exit 1. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      Deno.exit(2);
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(1);
  }
}
