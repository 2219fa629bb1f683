/**
 * Verdicts: each figure script decides, from its own numbers, whether the paper's claim behind it
 * is reproduced. A claim is written as a criterion next to it (the direction and size the paper
 * states, with a tolerance); the script measures an effect (a gain in percentage points, a rank
 * correlation, a drop) and `judgeEffect` / `judgeCorrelation` turn it into one of three outcomes:
 *
 * - **reproduced**: the effect clears the criterion (with seeds > 1: the lower end of the 95%
 *   t-interval of the mean does) and nothing about the setting stops the result from speaking for
 *   the paper's;
 * - **not reproduced**: the effect goes against the claim by more than the tolerance (with seeds
 *   > 1: the whole interval lies on the wrong side), whatever the setting;
 * - **inconclusive**: the effect lies within the tolerance, the interval straddles it, there are
 *   too few points, or the effect agrees with the claim but the setting is too far from the paper's
 *   to call it reproduced (one seed, a width far below the paper's, stand-in data); the reasons are
 *   listed.
 *
 * Several checks (one per dataset or noise type) combine with `combineVerdicts`: any "not
 * reproduced" wins, then any "inconclusive", else "reproduced".
 */
import type { Summary } from "./mean_sd.ts";

export type Outcome = "reproduced" | "not reproduced" | "inconclusive";

export interface Verdict {
  outcome: Outcome;
  /** The criterion, in words: direction, size and tolerance. */
  criterion: string;
  /** What was measured and how it compares, in words (one clause per check). */
  evidence: string[];
  /** Why a verdict is inconclusive, or the limits of a "not reproduced" (one seed, …). */
  caveats: string[];
}

/** A claim that an effect is at least `min` (in `unit`), with a band of ± `tolerance` around 0. */
export interface EffectCriterion {
  /** The effect the claim needs, at least (e.g. 5 for "+5 pp"). */
  min: number;
  /** |effect| ≤ tolerance (or an interval straddling the band) counts as no effect either way. */
  tolerance: number;
  unit: string;
}

/** Two-sided 95% Student-t quantiles for 1…30 degrees of freedom (beyond: 1.96). */
const T95 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

export function t95(df: number): number {
  return df >= 1 && df <= T95.length ? T95[df - 1] : 1.96;
}

/** The 95% t-interval of a mean over n ≥ 2 values (the value itself, twice, for n = 1). */
export function meanInterval(s: Summary): [number, number] {
  if (s.n < 2) return [s.mean, s.mean];
  const h = t95(s.n - 1) * s.sd / Math.sqrt(s.n);
  return [s.mean - h, s.mean + h];
}

const fmt = (v: number, unit: string) => `${v >= 0 ? "+" : ""}${v.toFixed(1)}${unit}`;

/**
 * "pass" / "fail" / "undecided" for one effect (a mean ± sd over seeds). With one value: pass
 * when ≥ min, fail when < −tolerance. With n ≥ 2 the 95% t-interval of the mean decides: pass
 * when the mean is ≥ min and the interval lies above 0; fail when the whole interval lies below
 * −tolerance; anything else is undecided.
 */
export function effectTest(
  effect: Summary,
  c: EffectCriterion,
): { result: CheckResult; text: string } {
  if (effect.n === 0 || !Number.isFinite(effect.mean)) {
    return { result: "undecided", text: "no value" };
  }
  if (effect.n === 1) {
    const v = effect.mean;
    const result = v >= c.min ? "pass" : v < -c.tolerance ? "fail" : "undecided";
    return { result, text: `${fmt(v, c.unit)} (one seed)` };
  }
  const [lo, hi] = meanInterval(effect);
  const text = `${fmt(effect.mean, c.unit)} ± ${effect.sd.toFixed(1)} sd over ${effect.n} ` +
    `seeds, 95% CI [${fmt(lo, "")}, ${fmt(hi, c.unit)}]`;
  if (effect.mean >= c.min && lo > 0) return { result: "pass", text };
  if (hi < -c.tolerance) return { result: "fail", text };
  return { result: "undecided", text };
}

/** One check: a labelled effect against its criterion. */
export interface Check {
  label: string;
  effect: Summary;
}

/** The verdict on effects that must each clear `c`, given the setting's caveats. */
export function judgeEffects(
  checks: Check[],
  c: EffectCriterion,
  criterion: string,
  caveats: string[],
): Verdict {
  const judged = checks.map((k) => {
    const t = effectTest(k.effect, c);
    return { result: t.result, line: `${k.label}: ${t.text} → ${t.result}` };
  });
  return tally(judged, criterion, caveats);
}

/** The result of one check. */
type CheckResult = "pass" | "fail" | "undecided";

/** One judged check: its result and its evidence line. */
interface Judged {
  result: CheckResult;
  line: string;
}

/** The verdict on judged checks: their evidence lines, and the outcome from their results. */
function tally(judged: Judged[], criterion: string, caveats: string[]): Verdict {
  const count = (r: CheckResult) => judged.filter((j) => j.result === r).length;
  const evidence = judged.map((j) => j.line);
  return decide(judged.length, count("pass"), count("fail"), criterion, evidence, caveats);
}

/** Spearman-style check: the correlation must have `sign` and |ρ| ≥ `min`; |ρ| < min is no call. */
export interface CorrelationCriterion {
  sign: 1 | -1;
  min: number;
  /** Fewer points than this is no call. */
  minPoints: number;
}

export function judgeCorrelation(
  label: string,
  rho: number,
  points: number,
  c: CorrelationCriterion,
  criterion: string,
  caveats: string[],
): Verdict {
  return judgeCorrelations([{ label, rho, points }], c, criterion, caveats);
}

/** One correlation against `c`: too few points or |ρ| < min is no call. */
function correlationCheck(
  k: { label: string; rho: number; points: number },
  c: CorrelationCriterion,
): Judged {
  const signed = c.sign * k.rho;
  let result: CheckResult;
  if (!Number.isFinite(k.rho) || k.points < c.minPoints) result = "undecided";
  else if (signed >= c.min) result = "pass";
  else if (signed <= -c.min) result = "fail";
  else result = "undecided";
  const few = k.points < c.minPoints ? ` (fewer than ${c.minPoints})` : "";
  const line = `${k.label}: ρ = ${Number.isFinite(k.rho) ? k.rho.toFixed(2) : "undefined"} ` +
    `over ${k.points} points${few} → ${result}`;
  return { result, line };
}

export function judgeCorrelations(
  checks: { label: string; rho: number; points: number }[],
  c: CorrelationCriterion,
  criterion: string,
  caveats: string[],
): Verdict {
  return tally(checks.map((k) => correlationCheck(k, c)), criterion, caveats);
}

/** Checks that are plain yes/no facts (no seeds): `ok` true passes, false fails. */
export function judgeFacts(
  checks: { label: string; ok: boolean | "undecided" }[],
  criterion: string,
  caveats: string[],
): Verdict {
  const judged = checks.map((k): Judged => {
    const result: CheckResult = k.ok === "undecided" ? "undecided" : k.ok ? "pass" : "fail";
    return { result, line: `${k.label} → ${result}` };
  });
  return tally(judged, criterion, caveats);
}

function decide(
  total: number,
  pass: number,
  fail: number,
  criterion: string,
  evidence: string[],
  caveats: string[],
): Verdict {
  if (total === 0) {
    return {
      outcome: "inconclusive",
      criterion,
      evidence: ["no data to judge"],
      caveats,
    };
  }
  if (fail > 0) return { outcome: "not reproduced", criterion, evidence, caveats };
  if (pass === total && caveats.length === 0) {
    return { outcome: "reproduced", criterion, evidence, caveats };
  }
  const why = pass === total
    ? caveats
    : [`${total - pass} of ${total} checks within the tolerance`, ...caveats];
  return { outcome: "inconclusive", criterion, evidence, caveats: why };
}

/** Any "not reproduced" wins, then "inconclusive"; evidence and caveats are concatenated. */
export function combineVerdicts(criterion: string, parts: Verdict[]): Verdict {
  const outcome: Outcome = parts.some((p) => p.outcome === "not reproduced")
    ? "not reproduced"
    : parts.length > 0 && parts.every((p) => p.outcome === "reproduced")
    ? "reproduced"
    : "inconclusive";
  return {
    outcome,
    criterion,
    evidence: parts.flatMap((p) => p.evidence),
    caveats: [...new Set(parts.flatMap((p) => p.caveats))],
  };
}

/** What makes a setting too far from the paper's to call a matching result "reproduced". */
export interface Setting {
  seeds: number;
  /** Our width (hidden units, or first conv channels) and the paper's. */
  width?: number;
  paperWidth?: number;
  /** A stand-in for the paper's data (npm digits, synthetic ECG, digits padded to 32×32). */
  standIn?: string;
  /** One seed is fine where the paper itself used one (2106.03795's sweep). */
  paperSeeds?: number;
}

/** The caveats of a setting: one seed (where the paper had more), width < paper/10, stand-in data. */
export function settingCaveats(s: Setting): string[] {
  const out: string[] = [];
  if (s.seeds < 2 && (s.paperSeeds ?? 5) > 1) out.push("one seed");
  if (s.width !== undefined && s.paperWidth !== undefined && s.width * 10 <= s.paperWidth) {
    out.push(`width ${s.width}, far below the paper's ${s.paperWidth}`);
  }
  if (s.standIn) out.push(`stand-in data (${s.standIn})`);
  return out;
}

/** The verdict as one Markdown line: bold outcome, then the evidence and caveats. */
export function verdictLine(v: Verdict): string {
  const label = v.outcome === "inconclusive" ? "Why inconclusive" : "Limits of this setting";
  const why = v.caveats.length ? ` ${label}: ${v.caveats.join("; ")}.` : "";
  return `**${v.outcome}**. ${v.evidence.join("; ")}.${why}`;
}
