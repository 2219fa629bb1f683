/**
 * The collapse-rate check of a preset (DatasetPreset.collapseCheck): our runs of one heavy-tailed
 * arm over many seeds against the independent PyTorch reference (bench/torch_htsgd_reference.py)
 * on the same seeds, both counted by the rule of collapse.ts, compared by Fisher's exact test.
 * The reference's runs are read from the JSON lines the script printed, committed under
 * bench/results/; every line is checked against the arm it must describe, and a missing,
 * malformed or mismatched file is reported as such (never counted).
 */
import { join } from "node:path";
import { z } from "zod";
import { PROJECT_ROOT } from "../../store/version.ts";
import { readTextFileBounded } from "../../store/bounded_read.ts";
import { type CollapseCount, countCollapsed, isCollapsed } from "./collapse.ts";
import { fisherExact } from "./fisher.ts";
import type { CollapseCheck, DatasetPreset } from "./presets.ts";
import { METHODS, type RunRow } from "./figure_runs.ts";
import { type ShiftEstimate, twoSampleShift } from "./rank_tests.ts";
import { parseJsonLines } from "./json_lines.ts";

/** One line printed by bench/torch_htsgd_reference.py (the fields the check reads). */
const ReferenceLine = z.object({
  seed: z.number().int(),
  steps: z.number().int().nonnegative(),
  testAcc: z.number().min(0).max(100),
  mcePruned: z.number().min(0).max(1),
  prunedTestAcc: z.number().min(0).max(100),
  noiseType: z.number().int(),
  alpha: z.number(),
  sigma: z.number(),
  width: z.number().int(),
  grid24: z.boolean(),
  /** The largest |weight| of the trained hidden layer. */
  maxAbsW0: z.number().nonnegative(),
});
export type ReferenceRun = z.infer<typeof ReferenceLine>;

/** The reference's runs, or the reason they cannot be used. */
export type ReferenceRuns = { runs: ReferenceRun[] } | { error: string };

/**
 * Parses the reference's JSON lines and checks that they are exactly the check's arm (noise type,
 * α, σ, width, exact-law noise) on exactly its seeds, once each.
 */
export function parseReference(
  text: string,
  check: CollapseCheck,
  ds: Pick<DatasetPreset, "width" | "sigma">,
): ReferenceRuns {
  const runs: ReferenceRun[] = [];
  const parsed = parseJsonLines(text, ReferenceLine);
  if ("error" in parsed) return parsed;
  for (const { line, value: v } of parsed.lines) {
    const want = { noiseType: check.type, alpha: check.alpha, sigma: ds.sigma, width: ds.width };
    for (const [k, w] of Object.entries(want)) {
      const got = v[k as keyof typeof want];
      if (got !== w) return { error: `line ${line} (seed ${v.seed}) has ${k} ${got}, not ${w}` };
    }
    if (v.grid24) {
      return { error: `line ${line} (seed ${v.seed}) used --grid24, not the exact law` };
    }
    runs.push(v);
  }
  const seen = runs.map((r) => r.seed).sort((a, b) => a - b);
  const wanted = [...check.seeds].sort((a, b) => a - b);
  if (seen.join(",") !== wanted.join(",")) {
    const missing = wanted.filter((s) => !seen.includes(s));
    const extra = seen.filter((s, i) => !wanted.includes(s) || seen.indexOf(s) !== i);
    return {
      error: `seeds differ from the check's (missing ${missing.join(",") || "none"}; extra or ` +
        `repeated ${extra.join(",") || "none"})`,
    };
  }
  return { runs };
}

/** Reads and checks the reference file of `check` (path relative to `root`). */
export async function loadReference(
  check: CollapseCheck,
  ds: Pick<DatasetPreset, "width" | "sigma">,
  root: string = PROJECT_ROOT,
): Promise<ReferenceRuns> {
  let text: string;
  try {
    text = await readTextFileBounded(join(root, check.referenceFile), undefined, "the reference");
  } catch (err) {
    return { error: `cannot read ${check.referenceFile}: ${(err as Error).message}` };
  }
  const r = parseReference(text, check, ds);
  return "error" in r ? { error: `${check.referenceFile}: ${r.error}` } : r;
}

/** Our runs of the check's arm (main width) on its seeds. */
export function checkRows(ds: DatasetPreset, check: CollapseCheck, rows: RunRow[]): RunRow[] {
  const seeds = new Set(check.seeds);
  return rows.filter((r) =>
    r.dataset === ds.id && r.width === ds.width && r.method === METHODS[check.type] &&
    r.alpha === check.alpha && seeds.has(r.seed)
  );
}

/** Our count and the reference's for one check. */
export interface CheckCounts {
  ours: CollapseCount;
  oursCollapsedSeeds: number[];
  reference?: CollapseCount;
  referenceCollapsedSeeds?: number[];
  /** Fisher's exact test, ours vs the reference (absent without a usable reference). */
  fisher?: { twoSided: number; greater: number };
  /**
   * The largest |hidden weight| of each run on both sides, and the Hodges–Lehmann shift of
   * log10 of it (ours − reference) with its 95% Mann–Whitney interval: a location comparison of
   * the bulk of runs, beside the collapse count (which sees only the far tail). `dropped`: our
   * runs without weights (diverged), left out and counted.
   */
  largestWeight?: {
    ours: number[];
    reference: number[];
    dropped: number;
    log10Shift: ShiftEstimate;
  };
  referenceError?: string;
}

export function checkCounts(ours: RunRow[], reference: ReferenceRuns): CheckCounts {
  const out: CheckCounts = {
    ours: countCollapsed(ours),
    oursCollapsedSeeds: ours.filter(isCollapsed).map((r) => r.seed).sort((a, b) => a - b),
  };
  if ("error" in reference) return { ...out, referenceError: reference.error };
  const asRows = reference.runs.map((r) => ({
    seed: r.seed,
    pruningRatio: r.mcePruned,
    testAcc: r.testAcc,
    prunedTestAcc: r.prunedTestAcc,
  }));
  const ref = countCollapsed(asRows);
  const f = fisherExact(out.ours.collapsed, out.ours.runs, ref.collapsed, ref.runs);
  const oursW = ours.map((r) => r.maxAbsHidden).filter((v) => Number.isFinite(v) && v > 0);
  const refW = reference.runs.map((r) => r.maxAbsW0).filter((v) => v > 0);
  return {
    ...out,
    largestWeight: {
      ours: oursW,
      reference: refW,
      dropped: ours.length - oursW.length,
      log10Shift: twoSampleShift(oursW.map(Math.log10), refW.map(Math.log10)),
    },
    reference: ref,
    referenceCollapsedSeeds: asRows.filter(isCollapsed).map((r) => r.seed).sort((a, b) => a - b),
    fisher: { twoSided: f.twoSided, greater: f.greater },
  };
}
