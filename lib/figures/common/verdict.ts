/**
 * Verdicts: each figure script decides, from its own numbers, whether the paper's claim behind it
 * is reproduced. A claim is written as a criterion next to it (the direction and size the paper
 * states, with a tolerance); the script measures an effect (a gain in percentage points, a rank
 * correlation, a drop) and `judgeEffect` / `judgeCorrelation` turn it into one of three outcomes:
 *
 * - **reproduced**: the effect clears the criterion (with seeds > 1: see ROBUST_RULE, or the 95%
 *   t-interval of the mean for effects without per-seed values) and nothing about the setting
 *   stops the result from speaking for the paper's; the verdict then says at which scale: "at the
 *   paper's scale", or "at reduced scale (n = 2048, 10k MNIST digits)" (`Scale`);
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
import { medianWithInterval, type ShiftEstimate, twoSampleShift } from "./rank_tests.ts";

export type Outcome = "reproduced" | "not reproduced" | "inconclusive";

export interface Verdict {
  outcome: Outcome;
  /** The criterion, in words: direction, size and tolerance. */
  criterion: string;
  /** What was measured and how it compares, in words (one clause per check). */
  evidence: string[];
  /** Why a verdict is inconclusive, or the limits of a "not reproduced" (one seed, …). */
  caveats: string[];
  /** The scale the outcome speaks for (absent: not stated). */
  scale?: Scale;
}

/** At the paper's scale (its data, width ≥ its width), or reduced, with what is reduced. */
export interface Scale {
  paper: boolean;
  /** "n = 2048, 10k MNIST digits": the setting in a few words. */
  text: string;
}

/** "reproduced at reduced scale (n = 2048, 10k MNIST digits)", "inconclusive", … */
export function outcomeText(v: Verdict): string {
  if (v.outcome === "inconclusive" || !v.scale) return v.outcome;
  return v.scale.paper
    ? `${v.outcome} at the paper's scale (${v.scale.text})`
    : `${v.outcome} at reduced scale (${v.scale.text})`;
}

/** The verdict with its scale; scales of several parts are joined ("; "), paper only if all are. */
export function withScale(v: Verdict, scales: Scale[]): Verdict {
  if (scales.length === 0) return v;
  const text = [...new Set(scales.map((s) => s.text))].join("; ");
  return { ...v, scale: { paper: scales.every((s) => s.paper), text } };
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
 * An effect over seeds: its mean ± sd and, where the script has them, the per-seed values the
 * rank rule needs — `paired` differences (same seed, e.g. a method's pruning ratio minus SGD's)
 * or two independent samples whose shift a − b is the effect.
 */
export interface Effect extends Summary {
  paired?: number[];
  twoSample?: { a: number[]; b: number[] };
}

/** Rank intervals below this confidence (e.g. 3 seeds: 75%) decide nothing. */
export const MIN_RANK_CONFIDENCE = 0.9;

/** The rule for effects with per-seed values, stated next to every verdict that uses it. */
export const ROBUST_RULE = "Rule with per-seed values (one collapsed seed cannot push it over " +
  "the bar): for per-seed paired differences, their median with its exact sign-test interval " +
  "(order statistics; 10 seeds: 2nd to 9th smallest, 97.9%); for unpaired arms, the " +
  "Hodges–Lehmann shift (median of all pairwise differences) with its exact Mann–Whitney " +
  "interval. Intervals at 95%, or the whole range where too few seeds allow 95% (5 seeds: " +
  "93.8%); pass when the estimate clears the bar and the interval lies above 0, fail when the " +
  "interval lies below −tolerance; intervals under 90% confidence (≤ 4 seeds) decide nothing. " +
  "Mean ± sd is printed beside it.";

/** The rank estimate of an effect with per-seed values, or null when it has none (or < 2). */
export function rankEstimate(e: Effect): (ShiftEstimate & { kind: string }) | null {
  if (e.paired && e.paired.filter(Number.isFinite).length >= 2) {
    return { ...medianWithInterval(e.paired), kind: "sign-test" };
  }
  const t = e.twoSample;
  if (t && t.a.filter(Number.isFinite).length >= 2 && t.b.filter(Number.isFinite).length >= 2) {
    return { ...twoSampleShift(t.a, t.b), kind: "Mann–Whitney" };
  }
  return null;
}

function rankTest(
  effect: Effect,
  r: ShiftEstimate & { kind: string },
  c: EffectCriterion,
): { result: CheckResult; text: string } {
  const conf = (100 * r.confidence).toFixed(1);
  const meanSd = effect.n > 1 ? `; mean ${fmt(effect.mean, "")} ± ${effect.sd.toFixed(1)} sd` : "";
  const what = r.kind === "sign-test" ? "median" : "HL shift";
  const text = `${what} ${fmt(r.estimate, c.unit)}, ${conf}% ${r.kind} interval ` +
    `[${fmt(r.lo, "")}, ${fmt(r.hi, c.unit)}] over ${r.n} seeds${meanSd}`;
  if (r.confidence < MIN_RANK_CONFIDENCE) {
    return { result: "undecided", text: `${text} (too few seeds for a 90% interval)` };
  }
  if (r.estimate >= c.min && r.lo > 0) return { result: "pass", text };
  if (r.hi < -c.tolerance) return { result: "fail", text };
  return { result: "undecided", text };
}

/**
 * "pass" / "fail" / "undecided" for one effect. With one value: pass when ≥ min, fail when
 * < −tolerance. With per-seed values (`paired` or `twoSample`, ≥ 2 each) the rank rule decides
 * (ROBUST_RULE). Otherwise, with n ≥ 2, the 95% t-interval of the mean: pass when the mean is
 * ≥ min and the interval lies above 0; fail when the whole interval lies below −tolerance;
 * anything else is undecided.
 */
export function effectTest(
  effect: Effect,
  c: EffectCriterion,
): { result: CheckResult; text: string } {
  if (effect.n === 0 || !Number.isFinite(effect.mean)) {
    return { result: "undecided", text: "no value" };
  }
  const rank = effect.n > 1 ? rankEstimate(effect) : null;
  if (rank) return rankTest(effect, rank, c);
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
  effect: Effect;
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
  const combined: Verdict = {
    outcome,
    criterion,
    evidence: parts.flatMap((p) => p.evidence),
    caveats: [...new Set(parts.flatMap((p) => p.caveats))],
  };
  return withScale(combined, parts.flatMap((p) => (p.scale ? [p.scale] : [])));
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

/**
 * The verdict as one Markdown line: the bold outcome with its scale ("**reproduced at reduced
 * scale (n = 2048, 10k MNIST digits)**"), then the evidence and caveats.
 */
export function verdictLine(v: Verdict): string {
  const label = v.outcome === "inconclusive" ? "Why inconclusive" : "Limits of this setting";
  const why = v.caveats.length ? ` ${label}: ${v.caveats.join("; ")}.` : "";
  return `**${outcomeText(v)}**. ${v.evidence.join("; ")}.${why}`;
}
