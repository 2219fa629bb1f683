/**
 * Command-line parsing shared by scripts: node:util parseArgs in strict mode, with errors that
 * name the offending flag, and typed number/enum readers. A `UsageError` makes `runMain` exit
 * with code 2 before anything is written.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { codeVersion, PROJECT_ROOT } from "../store/version.ts";
import { interruptMessage, runInterruptCleanups } from "../interrupt.ts";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** `--help`/`-h` or `--version` was given: print `text` on stdout and exit 0 (see runMain). */
export class EarlyExit extends Error {
  constructor(readonly text: string) {
    super("early exit");
    this.name = "EarlyExit";
  }
}

/** An example command line per task, shown by `--help`. */
export const TASK_EXAMPLES: Record<string, string> = {
  demo: "npx deno task demo -- --width 64 --store /tmp/store --out /tmp/figures",
  data: "npx deno task data -- --dataset mnist",
  noise: "npx deno task noise -- --type II --alpha 1.75 --n 1000000 --seed 1 --out samples.f32",
  train: "npx deno task train -- --dataset mnist-npm --width 128 --lr 0.2 --batch-size 200 " +
    "--eval-every 25 --max-steps 1500 --noise-type I --alpha 1.75 --sigma 0.0025",
  prune: "npx deno task prune -- 0123456789abcdef --fractions 0,0.1,0.2",
  reproduce: "npx deno task reproduce -- --preset smoke",
  "fig:synthetic": "npx deno task fig:synthetic -- --preset smoke --seed 0 --out /tmp/figures",
  bench: "npx deno task bench -- --quick",
  web: "npx deno task web -- --serve --port 8026",
  sweep: "npx deno task sweep -- --grid grid.json --shard 0/4 --store results-0",
  merge: "npx deno task merge -- --into results results-0 results-1",
  "deploy:render":
    "npx deno task deploy:render -- slurm --shards 8 --grid grid.json --store /data/store",
  export: "npx deno task export -- 0123456789abcdef --format safetensors --out exported " +
    "--pruned mce-0.1",
  import: "npx deno task import -- model.safetensors --config config.json --store results",
  runs: "npx deno task runs -- --store results --format csv --filter noiseType=2",
};

/** The deno.json task that runs the main module (e.g. "fig:alpha"), if any. */
export function currentTask(): string | undefined {
  let main: string;
  try {
    main = relative(PROJECT_ROOT, fileURLToPath(Deno.mainModule)).split(sep).join("/");
  } catch {
    return undefined;
  }
  try {
    const tasks = JSON.parse(Deno.readTextFileSync(join(PROJECT_ROOT, "deno.json"))).tasks ?? {};
    for (const [name, command] of Object.entries(tasks)) {
      if (typeof command === "string" && command.split(/\s+/).includes(main)) return name;
    }
  } catch { /* no deno.json: no task name */ }
  return undefined;
}

/** What `--version` prints: the package version and the code version that goes into run keys. */
export function versionText(): string {
  let version = "unknown";
  try {
    version = JSON.parse(Deno.readTextFileSync(join(PROJECT_ROOT, "package.json"))).version ??
      version;
  } catch { /* reported as unknown */ }
  return `htsgd ${version}\ncode version ${codeVersion()} (hash of kernels/ and the numeric layers of lib/, ` +
    `lib/layers.ts; part of every run key)\ndeno ${Deno.version.deno}`;
}

/** The usage text plus an example command line for the current task. */
export function helpText(usage: string): string {
  const task = currentTask();
  const example = task === undefined
    ? undefined
    : TASK_EXAMPLES[task] ?? `npx deno task ${task} -- --preset smoke --seeds 1`;
  return example ? `${usage}\nexample:\n  ${example}` : usage;
}

/**
 * Answers `--help`/`-h` and `--version` before anything else is parsed or opened (no GPU, no
 * files): the text to print, or undefined to carry on.
 */
export function helpOrVersion(args: readonly string[], usage: string): string | undefined {
  const end = args.indexOf("--", args[0] === "--" ? 1 : 0);
  const own = end < 0 ? args : args.slice(0, end);
  if (own.includes("--help") || own.includes("-h")) return helpText(usage);
  if (own.includes("--version")) return versionText();
  return undefined;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `args` strictly: unknown flags and missing values raise a UsageError naming the flag.
 * `--help`/`-h` and `--version` raise an EarlyExit (runMain prints it and exits 0).
 */
export function parseFlags<O extends Options>(args: string[], options: O, usage: string) {
  const early = helpOrVersion(args, usage);
  if (early !== undefined) throw new EarlyExit(early);
  try {
    return parseStrict(args, options);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

/**
 * node:util parseArgs in strict mode, plus one rule it lacks: a flag given twice is an error
 * (parseArgs keeps the last value silently), unless its option says `multiple: true`. Every
 * script's parsing goes through here (parseFlags, parseTaskFlags, and scripts/data.ts).
 */
export function parseStrict<O extends Options>(
  args: string[],
  options: O,
  { allowPositionals = true }: { allowPositionals?: boolean } = {},
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals, tokens: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const seen = new Map<string, string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const first = seen.get(token.name);
    if (first !== undefined && options[token.name]?.multiple !== true) {
      throw new UsageError(
        `--${token.name} is given more than once (${first}, then ${token.rawName}${
          token.value === undefined ? "" : ` ${token.value}`
        }): give it once`,
      );
    }
    seen.set(token.name, `${token.rawName}${token.value === undefined ? "" : ` ${token.value}`}`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** parseArgs options for flags that each take one string value (read with numberFlag etc.). */
export function stringFlags<const N extends string>(...names: N[]): Record<N, { type: "string" }> {
  return Object.fromEntries(names.map((n) => [n, { type: "string" }])) as Record<
    N,
    { type: "string" }
  >;
}

/**
 * parseFlags for a task that takes no positional argument: drops the `--` that `deno task` passes
 * on, and a stray argument is a UsageError. Returns the flag values.
 */
export function parseTaskFlags<O extends Options>(
  args: readonly string[],
  options: O,
  usage: string,
) {
  const { values, positionals } = parseFlags(args.filter((a) => a !== "--"), options, usage);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n${usage}`);
  return values;
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

/** The one line Ctrl-C prints before exiting 130. */
export const INTERRUPT_LINE =
  "interrupted: finished runs are kept in the store and an unfinished " +
  "one resumes from its last checkpoint; rerun the same command to continue";

let interruptInstalled = false;

/**
 * On SIGINT (Ctrl-C): run the clean-ups the script registered (lib/interrupt.ts: temp files
 * removed), print its line (setInterruptMessage; INTERRUPT_LINE by default) on stderr and exit
 * 130. A second Ctrl-C while the clean-ups run exits at once.
 */
export function exitOnInterrupt(): void {
  if (interruptInstalled) return;
  interruptInstalled = true;
  let interrupted = false;
  try {
    Deno.addSignalListener("SIGINT", async () => {
      if (interrupted) Deno.exit(130);
      interrupted = true;
      for (const failure of await runInterruptCleanups()) {
        console.error(`clean-up after the interrupt failed: ${failure}`);
      }
      console.error(interruptMessage() ?? INTERRUPT_LINE);
      Deno.exit(130);
    });
  } catch { /* platforms without SIGINT listeners: the default handler exits */ }
}

/**
 * Runs a script's main: `--help`/`--version` print and exit 0, a UsageError exits 2 and other
 * errors exit 1; Ctrl-C runs the script's clean-ups, prints one line and exits 130
 * (exitOnInterrupt).
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  exitOnInterrupt();
  try {
    await main();
  } catch (err) {
    if (err instanceof EarlyExit) {
      console.log(err.text);
      Deno.exit(0);
    }
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      Deno.exit(2);
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(1);
  }
}
