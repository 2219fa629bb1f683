/**
 * The noise behind a collapse check, from bench/noise_run_extremes.ts: for each of our runs of
 * the check, every stable draw it added to its hidden layer was regenerated from its key and the
 * script printed the largest |X| and the counts beyond 10³, 10⁴ and 10⁵. This module reads those
 * JSON lines, refuses them unless they describe exactly the runs in the store (same seeds, same
 * α, and each run's noisy steps = its steps − 1, since no noise follows the final step), and
 * compares them with the exact SαS law:
 *   - counts beyond x against their Poisson expectation Σ_runs draws·P(|X| > x);
 *   - each run's p = P(largest of its draws ≥ the one it drew) = 1 − (1 − P(|X| > max))^draws,
 *     uniform over the runs under the law (Kolmogorov–Smirnov, ks_uniform.ts); none for a run
 *     whose largest is at or below FILTER_FLOOR, which the script may not have seen;
 *   - where the collapsed runs rank among the runs' largest draws.
 * Expectations and p values are recomputed here from the file's draws and maxima, not read from it.
 */
import { join } from "node:path";
import { z } from "zod";
import { PROJECT_ROOT } from "../../store/version.ts";
import { readTextFileBounded } from "../../store/bounded_read.ts";
import { poissonTails, sasTwoSidedTail } from "../../analysis/stable_tail.ts";
import { ksDistanceUniform, ksPValue } from "./ks_uniform.ts";
import { parseJsonLines } from "./json_lines.ts";
import { isCollapsed } from "./collapse.ts";
import type { CollapseCheck } from "./presets.ts";
import type { RunRow } from "./figure_runs.ts";

const ExtremesLine = z.object({
  seed: z.number().int(),
  alpha: z.number().gt(0).lt(2),
  noisySteps: z.number().int().nonnegative(),
  draws: z.number().int().nonnegative(),
  maxAbsX: z.number().nonnegative(),
  over: z.object({ "1e+3": z.number().int().nonnegative() })
    .and(z.object({ "1e+4": z.number().int().nonnegative() }))
    .and(z.object({ "1e+5": z.number().int().nonnegative() })),
});
export type ExtremesRun = z.infer<typeof ExtremesLine>;

/** The thresholds the script counts beyond, as the keys of its `over` object. */
export const EXTREME_THRESHOLDS = [[1e3, "1e+3"], [1e4, "1e+4"], [1e5, "1e+5"]] as const;

/**
 * The file's per-run lines (its summary line is skipped: everything is recomputed), checked
 * against the check's α and seeds; or the reason they cannot be used.
 */
export function parseExtremes(
  text: string,
  check: Pick<CollapseCheck, "alpha" | "seeds">,
): { runs: ExtremesRun[] } | { error: string } {
  const runs: ExtremesRun[] = [];
  const isSummary = (v: unknown) => typeof v === "object" && v !== null && "summary" in v;
  const parsed = parseJsonLines(text, ExtremesLine, isSummary);
  if ("error" in parsed) return parsed;
  for (const { line, value } of parsed.lines) {
    if (value.alpha !== check.alpha) {
      return { error: `line ${line} (seed ${value.seed}) has alpha ${value.alpha}` };
    }
    if (value.draws !== 0 && value.draws % Math.max(value.noisySteps, 1) !== 0) {
      return { error: `line ${line} (seed ${value.seed}): draws is not a multiple of steps` };
    }
    runs.push(value);
  }
  const seen = runs.map((r) => r.seed).sort((a, b) => a - b).join(",");
  const wanted = [...check.seeds].sort((a, b) => a - b).join(",");
  if (seen !== wanted) return { error: `its seeds (${seen || "none"}) are not the check's` };
  return { runs };
}

/** Reads and parses the check's extremes file (path relative to `root`). */
export async function loadExtremes(
  check: CollapseCheck,
  root: string = PROJECT_ROOT,
): Promise<{ runs: ExtremesRun[] } | { error: string } | undefined> {
  if (!check.noiseExtremesFile) return undefined;
  let text: string;
  try {
    text = await readTextFileBounded(join(root, check.noiseExtremesFile), undefined, "the file");
  } catch (err) {
    return { error: `cannot read ${check.noiseExtremesFile}: ${(err as Error).message}` };
  }
  const r = parseExtremes(text, check);
  return "error" in r ? { error: `${check.noiseExtremesFile}: ${r.error}` } : r;
}

/**
 * The largest |X| below which bench/noise_run_extremes.ts may miss a run's true maximum (it only
 * evaluates draws whose u₁ lies within 10⁻⁴ of an end); a run whose largest is not above it gets
 * no p.
 */
export const FILTER_FLOOR = 1e3;

/** The extremes of a set of runs against the exact law (no check against stored runs). */
export interface LawComparison {
  runs: number;
  beyond: { x: number; count: number; expected: number; pAbove: number }[];
  /** Per run, P(largest ≥ drawn) under the law; KS distance from uniform and its p. */
  ksDistance: number;
  ksP: number;
  /** Runs with a p (largest above FILTER_FLOOR), and the smallest p among them. */
  runsWithP: number;
  smallest?: { seed: number; p: number };
}

export interface ExtremesSummary extends LawComparison {
  /** Our collapsed runs with their largest draws, largest first. */
  collapsed: { seed: number; maxAbsX: number }[];
  /** Whether the collapsed runs are exactly the runs with the largest draws. */
  collapsedAreTop: boolean;
  /** Runs beyond the smallest collapsed run's draw, observed and expected (chosen after the fact). */
  beyondSmallestCollapsed?: { x: number; runs: number; expected: number; pAtLeast: number };
}

/** P(the largest of `draws` SαS(α) draws is ≥ x). */
function pLargestAtLeast(alpha: number, draws: number, x: number): number {
  return x > 0 ? -Math.expm1(-draws * sasTwoSidedTail(alpha, x)) : 1;
}

/** A run's p = P(its largest draw ≥ the one it drew); null at or below FILTER_FLOOR. */
export function runP(e: Pick<ExtremesRun, "alpha" | "draws" | "maxAbsX">): number | null {
  return e.maxAbsX > FILTER_FLOOR ? pLargestAtLeast(e.alpha, e.draws, e.maxAbsX) : null;
}

/**
 * Counts beyond each threshold against their Poisson expectation Σ draws·P(|X| > x), and the
 * uniformity of the runs' p values (Kolmogorov–Smirnov). Shared by the bench script's summary
 * line and fig:seeds.
 */
export function compareWithLaw(extremes: ExtremesRun[]): LawComparison {
  const beyond = EXTREME_THRESHOLDS.map(([x, key]) => {
    const count = extremes.reduce((s, e) => s + e.over[key], 0);
    const expected = extremes.reduce((s, e) => s + e.draws * sasTwoSidedTail(e.alpha, x), 0);
    return { x, count, expected, pAbove: poissonTails(count, expected).above };
  });
  const ps = extremes.flatMap((e) => {
    const p = runP(e);
    return p === null ? [] : [{ seed: e.seed, p }];
  });
  const d = ksDistanceUniform(ps.map((p) => p.p));
  return {
    runs: extremes.length,
    beyond,
    ksDistance: d,
    ksP: ksPValue(ps.length, d),
    runsWithP: ps.length,
    smallest: ps.length ? ps.reduce((a, b) => (b.p < a.p ? b : a)) : undefined,
  };
}

/**
 * Checks the extremes against our runs of the check (`rows`: one per seed) and summarises them;
 * an error when a line does not describe the run in the store.
 */
export function summariseExtremes(
  extremes: ExtremesRun[],
  rows: RunRow[],
): ExtremesSummary | { error: string } {
  const bySeed = new Map(rows.map((r) => [r.seed, r]));
  for (const e of extremes) {
    const r = bySeed.get(e.seed);
    if (!r) return { error: `seed ${e.seed} has no run of the check in the store` };
    if (r.steps - 1 !== e.noisySteps) {
      return {
        error: `seed ${e.seed} trained ${r.steps} steps here (${r.steps - 1} with noise), the ` +
          `file regenerated ${e.noisySteps}: it describes other runs`,
      };
    }
  }
  if (extremes.length === 0) return { error: "no runs" };
  const alpha = extremes[0].alpha;
  const collapsedSeeds = new Set(rows.filter(isCollapsed).map((r) => r.seed));
  const byDraw = [...extremes].sort((a, b) => b.maxAbsX - a.maxAbsX);
  const collapsed = byDraw.filter((e) => collapsedSeeds.has(e.seed))
    .map((e) => ({ seed: e.seed, maxAbsX: e.maxAbsX }));
  const collapsedAreTop = byDraw.slice(0, collapsed.length).every((e) =>
    collapsedSeeds.has(e.seed)
  );
  let beyondSmallestCollapsed: ExtremesSummary["beyondSmallestCollapsed"];
  if (collapsed.length > 0) {
    const x = collapsed[collapsed.length - 1].maxAbsX;
    const runs = extremes.filter((e) => e.maxAbsX >= x).length;
    const expected = extremes.reduce((s, e) => s + pLargestAtLeast(alpha, e.draws, x), 0);
    beyondSmallestCollapsed = {
      x,
      runs,
      expected,
      pAtLeast: expected > 0 ? poissonTails(runs, expected).above : NaN,
    };
  }
  return { ...compareWithLaw(extremes), collapsed, collapsedAreTop, beyondSmallestCollapsed };
}
