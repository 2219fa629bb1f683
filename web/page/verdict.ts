/**
 * The report's verdict on the pruning claim for a finished page run: paired with an SGD run of the
 * same setting (or, for an SGD run, a heavy-tailed one), trained earlier in the page or committed
 * in figures/demo.csv, and judged by the figure scripts' own rule and wording
 * (lib/figures/common/gain_verdict.ts, verdict.ts): with one seed it is at best "inconclusive".
 */
import { type ArmNumbers, pairGainVerdict } from "../../lib/figures/common/gain_verdict.ts";
import { type Verdict, verdictLine } from "../../lib/figures/common/verdict.ts";
import { noiseLabel, type TrainConfig } from "../../lib/train/config.ts";
import type { DemoReference } from "./run.ts";

/** A finished run's config and numbers (a RunOutcome has them). */
export interface FinishedArm {
  config: TrainConfig;
  final: { testAcc: number };
  mce: { pruningRatio: number; testAcc: number };
}

/** A committed arm: its config and its numbers from figures/demo.csv. */
export interface CommittedArm {
  config: TrainConfig;
  numbers: DemoReference;
}

/** Everything but the noise: two runs with the same key differ only in their arm. */
export function settingKey(config: TrainConfig): string {
  const { noise: _, ...rest } = config;
  return JSON.stringify(rest);
}

const isSgd = (c: TrainConfig) => c.noise.type === 0;

function pageArm(r: FinishedArm, source: string): ArmNumbers {
  return {
    label: `${noiseLabel(r.config.noise)} (${source})`,
    pruningRatio: r.mce.pruningRatio,
    testAcc: r.final.testAcc,
    prunedTestAcc: r.mce.testAcc,
  };
}

function committedArm(c: CommittedArm): ArmNumbers {
  return {
    label: `${noiseLabel(c.config.noise)} (committed, figures/demo.csv)`,
    pruningRatio: c.numbers.mce.pruningRatio,
    testAcc: c.numbers.testAcc,
    prunedTestAcc: c.numbers.mce.testAcc,
  };
}

/**
 * The heavy-tailed and SGD arms to compare for `run`: its counterpart of the same setting among
 * `earlier` page runs (the latest), else among the committed arms; undefined when there is none.
 */
export function pairFor(
  run: FinishedArm,
  earlier: readonly FinishedArm[],
  committed: readonly CommittedArm[],
): { ht: ArmNumbers; sgd: ArmNumbers } | undefined {
  const key = settingKey(run.config);
  const counterpart = (c: TrainConfig) => settingKey(c) === key && isSgd(c) !== isSgd(run.config);
  const mine = pageArm(run, "this page");
  const page = earlier.filter((e) => counterpart(e.config)).at(-1);
  const other = page
    ? pageArm(page, "this page, earlier")
    : committed.filter((c) => counterpart(c.config)).map(committedArm).at(-1);
  if (!other) return undefined;
  return isSgd(run.config) ? { ht: other, sgd: mine } : { ht: mine, sgd: other };
}

/** The verdict for `run`, or undefined when it has no counterpart yet. */
export function verdictFor(
  run: FinishedArm,
  earlier: readonly FinishedArm[],
  committed: readonly CommittedArm[],
): Verdict | undefined {
  const pair = pairFor(run, earlier, committed);
  return pair &&
    pairGainVerdict(pair.ht, pair.sgd, { width: run.config.width, dataset: run.config.dataset });
}

/** verdictLine's Markdown split into the bold outcome and the rest, for the page to render. */
export function verdictParts(v: Verdict): { outcome: string; rest: string } {
  const m = /^\*\*(.+?)\*\*\.? ?(.*)$/s.exec(verdictLine(v));
  return m ? { outcome: m[1], rest: m[2] } : { outcome: v.outcome, rest: verdictLine(v) };
}
