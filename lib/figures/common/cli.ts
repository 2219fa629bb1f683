/**
 * The command line shared by the figure scripts and `deno task reproduce`:
 *   --preset smoke|small|paper  --seeds 1,2,3 | 1-5  --store DIR  --out DIR  --data-dir DIR
 * Every flag is checked before anything is opened or written; a bad one is a UsageError (exit 2)
 * naming the flag.
 */
import {
  choiceFlag,
  intListFlag,
  parseTaskFlags,
  runMain,
  stringFlags,
  UsageError,
} from "../../cli/args.ts";
import { Gpu } from "../../gpu/runtime.ts";
import { ResultStore } from "../../store/results.ts";
import { parseShard, type Shard } from "../../shard/shard.ts";
import { checkOutputFolder, checkStoreWritable } from "../../store/hygiene.ts";
import { DataCache, type FigureContext, ShardDone } from "./context.ts";
import { type FigurePreset, PRESET_NAMES, presetByName, type PresetName } from "./presets.ts";

export interface FigureArgs {
  presetName: PresetName;
  preset: FigurePreset;
  seeds: number[];
  store: string;
  out: string;
  dataDir?: string;
  verbose: boolean;
  shard?: Shard;
}

/** What a figure script produced: files written and the lines worth printing at the end. */
export interface FigureOutcome {
  name: string;
  files: string[];
  summary: string[];
}

export type FigureCore = (ctx: FigureContext) => Promise<FigureOutcome>;

export const FIGURE_FLAGS = {
  ...stringFlags("preset", "seeds", "store", "out", "data-dir", "shard"),
  verbose: { type: "boolean" },
} as const;

export function figureUsage(task: string, what: string): string {
  return `usage: npx deno task ${task} -- [--preset P --seeds LIST --store DIR --out DIR --data-dir DIR]
${what}
  --preset P       smoke (offline, minutes on a CPU adapter; default), small (real data, < 1 h
                   on a laptop GPU), paper (the paper's settings; hours on a data-centre GPU),
                   gpu (Fashion-MNIST at the paper's scale on one GPU), cpu (real data on a CPU
                   adapter, hours; reproduce prints its estimate first), or gpu-rehearsal /
                   cpu-rehearsal (those two scaled down to minutes)
  --seeds LIST     e.g. 1,2,3 or 1-5 (default: smoke 1, small 1-3, paper 1-5, cpu 1-10; a
                   preset's part with fewer seeds takes the first ones)
  --store DIR      results store (default results/); finished runs are reused, never redone
  --out DIR        figures, tables and report.md (default figures/)
  --data-dir DIR   folder with the real data files (small/paper); otherwise the download cache
                   filled by \`deno task data -- --dataset mnist\` (and ecg5000)
  --verbose        print every training evaluation
  --shard k/N      train only shard k (0-based) of N (by config hash), then stop without plotting;
                   merge the stores (deno task merge) and rerun without --shard to draw`;
}

/**
 * Parses and checks the shared flags; throws a UsageError naming the bad flag (and an EarlyExit
 * for --help and --version, see parseFlags).
 */
export function parseFigureArgs(args: string[], usage: string): FigureArgs {
  const values = parseTaskFlags(args, FIGURE_FLAGS, usage);
  const presetName = choiceFlag("preset", values.preset, PRESET_NAMES) ?? "smoke";
  const preset = presetByName(presetName);
  const seeds = intListFlag("seeds", values.seeds) ?? preset.seeds;
  if (seeds.length === 0) throw new UsageError("--seeds: give at least one seed");
  if (new Set(seeds).size !== seeds.length) throw new UsageError("--seeds: a seed is repeated");
  const bad = seeds.find((s) => !(Number.isSafeInteger(s) && s >= 0 && s <= 0xffffffff));
  if (bad !== undefined) throw new UsageError(`--seeds: ${bad} is not in 0..4294967295`);
  for (const flag of ["store", "out", "data-dir"] as const) {
    if (values[flag] === "") throw new UsageError(`--${flag} needs a folder`);
  }
  const dataDir = values["data-dir"];
  if (dataDir !== undefined) {
    let isDir = false;
    try {
      isDir = Deno.statSync(dataDir).isDirectory;
    } catch { /* reported below */ }
    if (!isDir) throw new UsageError(`--data-dir: ${dataDir} is not a folder`);
  }
  return {
    presetName,
    preset,
    seeds,
    store: values.store ?? "results",
    out: values.out ?? "figures",
    dataDir,
    verbose: values.verbose ?? false,
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
  };
}

/**
 * The context for parsed args: the shared GPU, the store and a fresh data cache. The store and
 * --out are checked first (writable folders), so a bad one fails before any GPU work.
 */
export async function contextFor(args: FigureArgs): Promise<FigureContext> {
  await checkStoreWritable(args.store);
  if (!args.shard) await checkOutputFolder(args.out);
  const gpu = await Gpu.shared();
  return {
    gpu,
    store: new ResultStore(args.store),
    outDir: args.out,
    preset: args.preset,
    seeds: args.seeds,
    dataDir: args.dataDir,
    log: (line) => console.log(line),
    verbose: args.verbose,
    adapter: gpu.describe(),
    data: new DataCache(args.dataDir),
    shard: args.shard,
  };
}

/**
 * The main of a task with the shared figure flags: parse them, open the context, print
 * "<task>: preset …, seeds …" and the adapter, then run `body` (started: when the task began).
 */
export function figureTaskMain(
  task: string,
  usage: string,
  body: (args: FigureArgs, ctx: FigureContext, started: number) => Promise<void>,
): Promise<void> {
  return runMain(async () => {
    const args = parseFigureArgs(Deno.args, usage);
    const started = performance.now();
    const ctx = await contextFor(args);
    console.log(`${task}: preset ${args.presetName}, seeds ${args.seeds.join(",")}`);
    console.log(`adapter: ${ctx.adapter}`);
    await body(args, ctx, started);
  });
}

/** Runs a figure's core; undefined (its message printed) when a --shard run has done its share. */
export async function runFigureCore(
  core: FigureCore,
  ctx: FigureContext,
): Promise<FigureOutcome | undefined> {
  try {
    return await core(ctx);
  } catch (err) {
    if (!(err instanceof ShardDone)) throw err;
    console.log(err.message);
    return undefined;
  }
}

/** The main of one figure script: parse, run the core, print what it wrote and its numbers. */
export function figureMain(task: string, what: string, core: FigureCore): Promise<void> {
  return figureTaskMain(task, figureUsage(task, what), async (_args, ctx, started) => {
    const outcome = await runFigureCore(core, ctx);
    if (!outcome) return;
    console.log(`\n${outcome.summary.join("\n")}`);
    console.log(`\nwrote ${outcome.files.join(", ")}`);
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  });
}
