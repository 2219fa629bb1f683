/**
 * The command line of `deno task fig:synthetic`: a preset of sizes, each size overridable, the
 * seed, ε, the centring and the output folder. Every flag is checked before anything is opened
 * or written; a bad one is a UsageError (exit 2) naming it.
 */
import { choiceFlag, numberFlag, parseTaskFlags, stringFlags, UsageError } from "../../cli/args.ts";
import type { Centring } from "../../compress/magnitude.ts";
import { SYNTHETIC_PRESETS, type SyntheticPreset } from "./presets.ts";

export const SYNTHETIC_USAGE =
  `usage: npx deno task fig:synthetic -- [--preset smoke|small|paper] [options]
  --preset P          smoke (40 α, N = 20,000, d = 100; default, as every figure script),
                      small (100 α, N = 100,000, d = 250) or paper (250 α, N = 250,000,
                      d = 500, the authors' setting)
  --alphas K --n N --d D   override the preset (d must divide N)
  --seed S            seed of the α draws and of every sample (default 0)
  --epsilon E         relative ℓ2 error of the adaptive rule (default 0.1)
  --centring C        median (default; as the pruning code) or none (as the authors' notebook)
  --out DIR           figure folder (default figures/)`;

const OPTIONS = {
  ...stringFlags("preset", "alphas", "n", "d", "seed", "epsilon", "centring", "out"),
} as const;

/** One fig:synthetic run: sizes, seed, ε, centring and the output folder. */
export interface SyntheticJob {
  preset: SyntheticPreset;
  alphas: number;
  n: number;
  d: number;
  seed: number;
  epsilon: number;
  centring: Centring;
  out: string;
}

/** Parses and checks the flags; throws a UsageError naming the bad one. */
export function parseSyntheticJob(args: string[]): SyntheticJob {
  const v = parseTaskFlags(args, OPTIONS, SYNTHETIC_USAGE);
  const names = Object.keys(SYNTHETIC_PRESETS) as SyntheticPreset[];
  const preset = choiceFlag("preset", v.preset, names) ?? "smoke";
  const base = SYNTHETIC_PRESETS[preset];
  const alphas = numberFlag("alphas", v.alphas, { integer: true, min: 1, max: 100_000 }) ??
    base.alphas;
  const n = numberFlag("n", v.n, { integer: true, min: 2, max: 2 ** 26 }) ?? base.n;
  const d = numberFlag("d", v.d, { integer: true, min: 1 }) ?? base.d;
  if (n % d !== 0) throw new UsageError(`--d: ${d} must divide --n ${n}`);
  const seed = numberFlag("seed", v.seed, { integer: true, min: 0, max: 0xffffffff }) ?? 0;
  const epsilon = numberFlag("epsilon", v.epsilon, { min: 0, max: 1, exclusiveMin: true }) ?? 0.1;
  const centring = choiceFlag("centring", v.centring, ["median", "none"] as const) ?? "median";
  if (v.out === "") throw new UsageError("--out needs a folder");
  return { preset, alphas, n, d, seed, epsilon, centring, out: v.out ?? "figures" };
}
