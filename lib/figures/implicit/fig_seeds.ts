/**
 * fig:seeds — the headline comparison (SGD vs Types I/II/III at the reference α, at the main
 * width) one dot per seed, collapsed runs drawn as crosses, and the collapse counts: the preset's
 * own per arm; where the preset has a collapse check, our count on its seeds against the
 * independent PyTorch reference's on the same seeds (Fisher's exact test), both sides' largest
 * weights, and the noise our check runs drew against the exact law (noise_extremes.ts); the
 * authors' code's count, quoted. Its verdict is fig:alpha's
 * criterion restricted to the headline arms, judged by the rank rule (verdict.ts, ROBUST_RULE).
 */
import { aggregateRuns, pairedGains } from "../common/run_stats.ts";
import type { FigureOutcome } from "../common/cli.ts";
import type { FigureContext } from "../common/context.ts";
import { compressibilityVerdict, settingLine } from "../common/claims.ts";
import { PAPER_HEADLINE, PAPER_REF } from "../common/headline.ts";
import type { DatasetPreset } from "../common/presets.ts";
import { datasetNotes, PANEL_HEIGHT, PANEL_WIDTH, PRUNED_ACC_LABEL } from "../common/style.ts";
import {
  collapseCheckRuns,
  curveRuns,
  headlineSeeds,
  METHODS,
  runAll,
  type RunRow,
  uniqueRuns,
} from "../common/figure_runs.ts";
import {
  type CheckCounts,
  checkCounts,
  checkRows,
  loadReference,
} from "../common/collapse_check.ts";
import {
  COLLAPSE_RULE,
  collapseByArm,
  type CollapseCount,
  isCollapsed,
} from "../common/collapse.ts";
import { formatRobust, medianOf, robustSummary } from "../common/robust_summary.ts";
import { fisherExact } from "../common/fisher.ts";
import { EARLIER_AUTHORS } from "../common/collapse_reference.ts";
import { type ExtremesSummary, loadExtremes, summariseExtremes } from "../common/noise_extremes.ts";
import { seedDots } from "../../plot/charts.ts";
import { seriesColours } from "../../plot/colours.ts";
import type { FigureInput } from "../../plot/figure.ts";
import { dataLine, provenanceLine, publishSection } from "./section.ts";

export const NAME = "fig_seeds";
export const TITLE = "Headline comparison per seed, and collapsed runs";
export const CLAIM = "Heavy-tailed SGD (Types I/II/III at α 1.75) leaves the network more " +
  "compressible than plain SGD on the typical seed: mce pruning at 10% error removes more hidden " +
  "units, at close test accuracy. Collapsed runs are counted apart.";

/** "SGD", "Type II α=1.75": the arm of a run. */
export function armOf(r: Pick<RunRow, "method" | "alpha">): string {
  return r.method === "SGD" ? "SGD" : `${r.method} α=${r.alpha}`;
}

const pct = (v: number) => `${v.toFixed(1)}%`;
const p3 = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/** "k of n" with the Fisher p of the arm against SGD's count, when SGD has runs. */
function countText(c: CollapseCount, sgd?: CollapseCount): string {
  const base = `${c.collapsed} of ${c.runs} collapsed`;
  if (!sgd || sgd.runs === 0 || c.runs === 0) return base;
  const p = fisherExact(c.collapsed, c.runs, sgd.collapsed, sgd.runs).twoSided;
  return `${base} (vs SGD ${sgd.collapsed} of ${sgd.runs}: Fisher two-sided p = ${p3(p)})`;
}

const SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** 10ᵏ with superscript digits. */
function tenTo(k: number): string {
  const digits = [...String(Math.abs(k))].map((d) => SUPERSCRIPT[Number(d)]).join("");
  return `10${k < 0 ? "⁻" : ""}${digits}`;
}

/** x with `digits` significant digits, as m·10ᵏ from 10⁴ up (never "e+"). */
export function sci(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) < 1e4) return String(Number(x.toPrecision(digits)));
  const k = Math.floor(Math.log10(Math.abs(x)));
  const m = Number((x / 10 ** k).toPrecision(digits));
  return m === 1 ? tenTo(k) : `${m}·${tenTo(k)}`;
}

/** Collapse facts measured outside this script, labelled as such: the authors' code collapses too. */
export function quotedCollapseLines(): string[] {
  const a = EARLIER_AUTHORS;
  return [
    `Measured in an earlier session (quoted): ${a.source}: ${a.collapsed} of ${a.runs} ` +
    `collapsed (${a.detail}): the authors' code collapses too.`,
  ];
}

/**
 * The note on common random numbers: a seed's noise is the same at every width, so width
 * comparisons are paired.
 */
export const CRN_NOTE = "Common random numbers across widths: the noise of a seed at (hidden " +
  "unit, input, step) is drawn from a counter of the logical element and the step, so it is " +
  "the same at every width that contains the unit; one extreme draw recurs at every width. " +
  "Measured in an earlier session: Type II seeds 4 and 6 collapse at width 1024 with exactly the " +
  "largest weights they had at width 512 (1697.87 and 111.83). Width comparisons are therefore " +
  "paired by seed (fig_width's verdict), and a seed's collapse at two widths is one event, not two.";

/** Per-seed dots of one dataset: pruning ratio and pruned test accuracy, crosses = collapsed. */
function datasetPanels(ds: DatasetPreset, rows: RunRow[], arms: string[]): FigureInput[] {
  const mine = rows.filter((r) => r.dataset === ds.id && Number.isFinite(r.pruningRatio));
  const points = mine.map((r) => ({
    dataset: r.dataset,
    arm: armOf(r),
    seed: r.seed,
    pruningRatioPct: 100 * r.pruningRatio,
    prunedTestAcc: r.prunedTestAcc,
    testAcc: r.testAcc,
    collapsed: isCollapsed(r),
  }));
  const common = {
    rows: points,
    group: "arm",
    groups: arms,
    marked: "collapsed",
    markLabels: ["run", "collapsed"] as [string, string],
    colours: seriesColours(arms.map((a) => a.replace(/ α=.*/, ""))),
    xLabel: "Training",
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
  };
  return [
    seedDots({
      ...common,
      y: "pruningRatioPct",
      yLabel: "Hidden units pruned at mce 0.1 (%)",
      title: `${ds.label}: pruning ratio per seed`,
      subtitle: `n = ${ds.width}, σ = ${ds.sigma}; bar = median`,
    }),
    seedDots({
      ...common,
      y: "prunedTestAcc",
      yLabel: PRUNED_ACC_LABEL,
      title: `${ds.label}: accuracy after pruning per seed`,
      subtitle: `n = ${ds.width}, no retraining; bar = median`,
    }),
  ];
}

/** Per arm of one dataset: median [IQR], mean ± sd and the collapse count. */
function armLines(ds: DatasetPreset, rows: RunRow[], arms: string[]): string[] {
  const mine = rows.filter((r) => r.dataset === ds.id);
  const counts = collapseByArm(mine, armOf);
  const sgd = counts.get("SGD");
  return arms.filter((a) => counts.has(a)).map((a) => {
    const runs = mine.filter((r) => armOf(r) === a);
    const pruned = robustSummary(runs.map((r) => 100 * r.pruningRatio));
    const acc = robustSummary(runs.map((r) => r.prunedTestAcc));
    return `${ds.label}, n = ${ds.width}, ${a}: pruned ${formatRobust(pruned)} %; test ` +
      `accuracy after pruning ${formatRobust(acc)} %; ` +
      countText(counts.get(a)!, a === "SGD" ? undefined : sgd) + ".";
  });
}

/**
 * The collapse-rate check of each dataset that has one: our count on its seeds against the
 * PyTorch reference's on the same seeds, with Fisher's exact test.
 */
async function checkLines(datasets: DatasetPreset[], rows: RunRow[]): Promise<string[]> {
  const out: string[] = [];
  for (const ds of datasets) {
    const check = ds.collapseCheck;
    if (!check) continue;
    const arm = `${METHODS[check.type]} α=${check.alpha} σ=${ds.sigma}, n = ${ds.width}`;
    const ourRuns = checkRows(ds, check, rows);
    const c = checkCounts(ourRuns, await loadReference(check, ds));
    const seeds = (s: number[]) => (s.length ? `seeds ${s.join(", ")}` : "none");
    const head = `Collapse-rate check, ${ds.label}, ${arm}`;
    const range = `${check.seeds[0]}–${check.seeds.at(-1)}`;
    const ours = `this project ${c.ours.collapsed} of ${c.ours.runs} collapsed ` +
      `(${seeds(c.oursCollapsedSeeds)})`;
    if (!c.reference || !c.fisher) {
      out.push(
        `${head}, seeds ${range}: ${ours}; the PyTorch reference cannot be compared: ` +
          `${c.referenceError}.`,
      );
      continue;
    }
    out.push(
      `${head}, the same ${check.seeds.length} seeds (${range}) on both sides: ${ours}; the ` +
        `independent PyTorch reference (bench/torch_htsgd_reference.py, float64 exact-law ` +
        `noise; ${check.referenceFile}) ${c.reference.collapsed} of ${c.reference.runs} ` +
        `(${seeds(c.referenceCollapsedSeeds!)}). Fisher's exact test: two-sided p = ` +
        `${p3(c.fisher.twoSided)}, one-sided p (ours collapse more often) = ` +
        `${p3(c.fisher.greater)}. The two draw different random numbers, so they agree in ` +
        "law, not seed by seed; only the rates compare.",
    );
    if (c.largestWeight) out.push(largestWeightLine(head, c.largestWeight));
    const extremes = await loadExtremes(check);
    if (extremes) {
      const s = "error" in extremes ? extremes : summariseExtremes(extremes.runs, ourRuns);
      out.push(
        "error" in s
          ? `${head}, the noise our runs drew (${check.noiseExtremesFile}): not used, ${s.error}.`
          : extremesLine(head, check.noiseExtremesFile!, s),
      );
    }
  }
  return out;
}

/** The check's draw-level comparison with the exact law (see noise_extremes.ts). */
export function extremesLine(head: string, file: string, s: ExtremesSummary): string {
  const beyond = s.beyond.map((b) =>
    `beyond ${tenTo(Math.round(Math.log10(b.x)))}: ${b.count} (expected ${
      b.expected.toFixed(1)
    }, Poisson P(≥) = ` +
    `${p3(b.pAbove)})`
  ).join("; ");
  const collapsed = s.collapsed.length
    ? `The ${s.collapsed.length} collapsed runs ${
      s.collapsedAreTop ? "are" : "are not"
    } the runs with the largest draws (${
      s.collapsed.map((c) => `seed ${c.seed}: ${sci(c.maxAbsX)}`).join(", ")
    })` +
      (s.beyondSmallestCollapsed
        ? `; ${s.beyondSmallestCollapsed.runs} runs reached the smallest of these ` +
          `(${sci(s.beyondSmallestCollapsed.x)}), where the law expects ` +
          `${s.beyondSmallestCollapsed.expected.toFixed(1)} (Poisson P(≥) = ` +
          `${p3(s.beyondSmallestCollapsed.pAtLeast)}; a threshold read off the data, so ` +
          "descriptive only)."
        : ".")
    : "No run of the check collapsed.";
  return `${head}, the noise our ${s.runs} runs drew, regenerated draw by draw from their keys ` +
    `by bench/noise_run_extremes.ts (${file}; every line matches its run's noisy steps in the ` +
    `store), against the exact law: ${beyond}; P(a run's largest |X| ≥ the one it drew) is ` +
    `${s.ksP >= 0.05 ? "consistent with" : "not"} uniform over the runs (Kolmogorov–Smirnov ` +
    `distance ${s.ksDistance.toFixed(3)}, p ≈ ${p3(s.ksP)}` +
    (s.smallest ? `; smallest ${sci(s.smallest.p, 2)}, seed ${s.smallest.seed}` : "") +
    `${
      s.runsWithP < s.runs
        ? `; ${plural(s.runs - s.runsWithP, "run")} without a draw beyond 10³`
        : ""
    }). ` +
    collapsed;
}

/** The check's comparison of the largest |hidden weight| per run (see CheckCounts). */
export function largestWeightLine(
  head: string,
  w: NonNullable<CheckCounts["largestWeight"]>,
): string {
  const side = (v: number[], dropped = 0) =>
    v.length
      ? `median ${sci(medianOf(v))} (largest ${sci(Math.max(...v), 4)}, ${v.length} runs` +
        `${dropped ? `; ${dropped} without weights left out` : ""})`
      : "no runs";
  const s = w.log10Shift;
  const shift = Number.isFinite(s.estimate)
    ? `; Hodges–Lehmann shift of log10 (ours − reference) ${s.estimate.toFixed(2)}, ` +
      `${(100 * s.confidence).toFixed(1)}% Mann–Whitney interval [${s.lo.toFixed(2)}, ` +
      `${s.hi.toFixed(2)}] (a factor of ${(10 ** s.estimate).toFixed(2)}, interval ` +
      `${(10 ** s.lo).toFixed(2)}–${(10 ** s.hi).toFixed(2)}; ` +
      `${s.lo > 0 || s.hi < 0 ? "a shift" : "no detectable shift"})`
    : "";
  return `${head}, largest |hidden weight| per run (one extreme noise draw sets it): ours ` +
    `${side(w.ours, w.dropped)}; the reference ${side(w.reference)}${shift}.`;
}

export async function figSeeds(ctx: FigureContext): Promise<FigureOutcome> {
  // runAll returns one row per unique spec, in order: the headline (curve) runs come first, so
  // they are the first rows; the collapse check adds its other seeds after them.
  const headline = uniqueRuns(curveRuns(ctx.preset, ctx.seeds));
  const all = await runAll(ctx, [...headline, ...collapseCheckRuns(ctx.preset)]);
  const rows = all.slice(0, headline.length);
  const datasets = ctx.preset.datasets;
  const armsOf = (ds: DatasetPreset) => [
    "SGD",
    ...ds.types.map((t) => `${METHODS[t]} α=${ds.refAlpha}`),
  ];
  const checks = await checkLines(datasets, all);
  const stats = aggregateRuns(rows);
  const verdict = compressibilityVerdict(ctx, datasets, stats, pairedGains(rows));
  const panels = datasets.flatMap((ds) => datasetPanels(ds, rows, armsOf(ds)));
  const lines = datasets.flatMap((ds) => armLines(ds, rows, armsOf(ds)));
  const collapsedRuns = rows.filter(isCollapsed).map((r) =>
    `${r.dataset} ${armOf(r)} seed ${r.seed}: ${pct(100 * r.pruningRatio)} pruned, test ` +
    `${pct(r.testAcc)} → ${pct(r.prunedTestAcc)} after pruning`
  );
  const seeds = datasets.map((ds) => `${ds.id}: ${headlineSeeds(ds, ctx.seeds).length}`);
  return publishSection(ctx, {
    name: NAME,
    title: TITLE,
    claim: CLAIM,
    paper: PAPER_HEADLINE,
    paperRef: PAPER_REF,
    setting: settingLine(ctx, datasets),
    verdict,
    figure: {
      title: TITLE,
      subtitle: "One dot per seed and training; × = collapsed run (" + COLLAPSE_RULE + ").",
      caption: [
        `Seeds per arm: ${seeds.join(", ")}. A black bar marks each arm's median. ` +
        "Mean ± sd would be pulled far by one collapsed seed; the verdict uses the median.",
        ...datasetNotes(datasets),
      ],
      columns: 2,
      panels,
    },
    csvRows: all.map((r) => ({
      dataset: r.dataset,
      width: r.width,
      arm: armOf(r),
      seed: r.seed,
      pruningRatioPct: 100 * r.pruningRatio,
      testAcc: r.testAcc,
      prunedTestAcc: r.prunedTestAcc,
      maxAbsHidden: r.maxAbsHidden,
      collapsed: isCollapsed(r),
    })),
    runs: all,
    ours: [
      `Collapse rule: ${COLLAPSE_RULE}.`,
      "This preset's counts (per arm, with Fisher's exact test against SGD's count):",
      ...lines,
      collapsedRuns.length
        ? `Collapsed runs: ${collapsedRuns.join("; ")}.`
        : "No headline run of this figure collapsed.",
      ...checks,
      ...quotedCollapseLines(),
      CRN_NOTE,
      provenanceLine(ctx),
      dataLine(NAME, true),
    ],
    summary: [...lines, ...checks, ...quotedCollapseLines()],
  });
}
