/**
 * fig:synthetic — the synthetic figure of 2106.03795 (docs/papers.md). For α drawn uniformly in
 * (1.75, 2) it samples W_ind (iid SαS), W_col (iid elliptic d-dim columns) and W_lay (one
 * elliptic vector) on the GPU and plots the adaptive prunable fraction at relative error ε = 0.1
 * against α, one panel per layer kind. Writes <out>/fig_synthetic.{svg,png,csv} and its section
 * of <out>/report.md. It has its own flags (synthetic_job.ts) and no training runs, so
 * `deno task reproduce` does not run it. Bad flags exit 2 before anything is written.
 */
import * as Plot from "@observablehq/plot";
import { runMain } from "../../cli/args.ts";
import { prunableFraction } from "../../compress/magnitude.ts";
import { gaussianPrunableFraction } from "../../compress/gaussian_limit.ts";
import {
  sampleSynthetic,
  SYNTH_KINDS,
  synthAlphas,
  type SynthKind,
  validateSynthShape,
} from "../../compress/synthetic.ts";
import { Gpu } from "../../gpu/runtime.ts";
import { writeFigure } from "../../plot/figure.ts";
import { checkOutputFolder } from "../../store/hygiene.ts";
import { updateReport } from "../common/report.ts";
import { parseSyntheticJob, type SyntheticJob } from "./synthetic_job.ts";
import {
  type BinMean,
  binMeans,
  SYNTH_AUTHORS,
  SYNTH_PAPER_REF,
  type SynthRow,
  synthVerdict,
} from "./synthetic_verdict.ts";

const NAME = "fig_synthetic";

const LABELS: Record<SynthKind, string> = {
  W_ind: "W_ind: iid entries",
  W_col: "W_col: iid elliptic columns",
  W_lay: "W_lay: one elliptic layer",
};

/** A layer's ratio, with its panel and the index of its α draw. */
interface Row extends SynthRow {
  panel: string;
  alphaIndex: number;
}

/** "[min, max]" of one kind's ratios. */
function spread(rows: Row[], kind: SynthKind): string {
  const xs = rows.filter((r) => r.kind === kind).map((r) => r.ratio);
  return `[${Math.min(...xs).toFixed(3)}, ${Math.max(...xs).toFixed(3)}]`;
}

/** Right edge of the x axis, as the authors' xlim (0.245, 0.5); larger ratios sit on the edge. */
const X_EDGE = 0.5;

function figureSpec(job: SyntheticJob, rows: Row[], gauss: number, means: BinMean[]) {
  const axis = { labelAnchor: "center", labelArrow: "none", grid: true } as const;
  const xMin = Math.min(0.245, ...rows.map((r) => r.ratio - 0.005));
  const inside = rows.filter((r) => r.ratio <= X_EDGE);
  const beyond = rows.filter((r) => r.ratio > X_EDGE).map((r) => ({ ...r, ratio: X_EDGE }));
  const meanRows = means.flatMap((m) =>
    SYNTH_KINDS.filter((k) => Number.isFinite(m[k])).map((k) => ({
      panel: LABELS[k],
      alpha: 0.5 * (m.lo + m.hi),
      ratio: Math.min(m[k], X_EDGE),
    }))
  );
  const fmt = (x: number) => x.toLocaleString("en-US");
  const edgeNote = beyond.length
    ? ` Triangles: ${beyond.length} layer${beyond.length > 1 ? "s" : ""} with a ratio above ` +
      `${X_EDGE}, drawn on the edge.`
    : "";
  const dot = { x: "ratio", y: "alpha", fx: "panel", fill: "panel", fillOpacity: 0.75 } as const;
  return {
    title: "Synthetic layers: tail index vs fraction prunable at a fixed relative error",
    subtitle: `Adaptive magnitude pruning at ε = ${job.epsilon} · ${job.alphas} values of α ~ ` +
      `U(1.75, 2) · N = ${fmt(job.n)} per layer · d = ${job.d}`,
    caption: `Dots: one layer per α. Black: mean per α bin of width 0.05. Dashed: the Gaussian ` +
      `limit ${gauss.toFixed(4)}.${edgeNote} Every coordinate is SαS(α, 1); seed ${job.seed}, ` +
      `preset ${job.preset}, centring ${job.centring}.`,
    width: 900,
    height: 360,
    marginLeft: 62,
    marginBottom: 46,
    marginTop: 28,
    marginRight: 16,
    style: { fontSize: "12px" },
    fx: { label: null, domain: SYNTH_KINDS.map((k) => LABELS[k]), padding: 0.1 },
    x: {
      ...axis,
      label: "Pruning ratio (1 − κ): fraction prunable at relative ℓ2 error ε",
      labelOffset: 38,
      domain: [xMin, X_EDGE],
      ticks: 5,
      inset: 6,
    },
    y: { ...axis, label: "Tail index α", labelOffset: 48, domain: [1.75, 2], inset: 6 },
    color: { type: "ordinal", domain: SYNTH_KINDS.map((k) => LABELS[k]), scheme: "observable10" },
    marks: [
      Plot.frame({ stroke: "#888" }),
      Plot.ruleX([gauss], { stroke: "#555", strokeDasharray: "5,4", strokeWidth: 1.2 }),
      Plot.dot(inside, { ...dot, r: 2.6, stroke: "white", strokeWidth: 0.4 }),
      Plot.dot(beyond, { ...dot, r: 4, symbol: "triangle", rotate: 90 }),
      Plot.line(meanRows, {
        x: "ratio",
        y: "alpha",
        fx: "panel",
        stroke: "black",
        strokeWidth: 1.6,
      }),
      Plot.dot(meanRows, { x: "ratio", y: "alpha", fx: "panel", fill: "black", r: 3 }),
    ],
  } as Plot.PlotOptions;
}

/** Samples every α's three layers on the GPU and measures their ratios, with progress lines. */
async function sampleRows(gpu: Gpu, job: SyntheticJob, t0: number): Promise<Row[]> {
  const alphas = synthAlphas(job.alphas, job.seed);
  const rows: Row[] = [];
  const every = Math.max(1, Math.round(job.alphas / 10));
  for (let i = 0; i < alphas.length; i++) {
    const layers = await sampleSynthetic(gpu, alphas[i], i, { n: job.n, d: job.d }, job.seed);
    for (const kind of SYNTH_KINDS) {
      const ratio = prunableFraction(layers[kind], job.epsilon, { centring: job.centring });
      rows.push({ kind, panel: LABELS[kind], alpha: alphas[i], ratio, alphaIndex: i });
    }
    if ((i + 1) % every === 0 || i === alphas.length - 1) {
      const last = rows.slice(-3).map((r) => `${r.kind} ${r.ratio.toFixed(3)}`).join(", ");
      console.log(
        `  [${i + 1}/${alphas.length}] α = ${alphas[i].toFixed(3)}: ${last} ` +
          `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
    }
  }
  return rows;
}

/** One line per α bin: its range, its α count and the mean ratio of each kind. */
function binLines(means: BinMean[]): string[] {
  return means.map((m) =>
    `α ∈ [${m.lo.toFixed(2)}, ${m.hi.toFixed(2)}) (${m.count} α): W_ind ${m.W_ind.toFixed(3)}, ` +
    `W_col ${m.W_col.toFixed(3)}, W_lay ${m.W_lay.toFixed(3)}`
  );
}

/** Draws the figure for a parsed job: samples, plots, writes the CSV and the report section. */
export async function figSynthetic(job: SyntheticJob): Promise<void> {
  validateSynthShape({ n: job.n, d: job.d });
  await checkOutputFolder(job.out); // before the GPU: a bad --out fails at once
  const t0 = performance.now();
  const gpu = await Gpu.shared();
  console.log(`adapter: ${gpu.describe()}`);
  console.log(
    `preset ${job.preset}: ${job.alphas} α values, N = ${job.n}, d = ${job.d}, ` +
      `ε = ${job.epsilon}, ` +
      `seed ${job.seed}, centring ${job.centring}`,
  );
  const rows = await sampleRows(gpu, job, t0);
  const gauss = gaussianPrunableFraction(job.epsilon);
  const means = binMeans(rows);
  const table = binLines(means);
  console.log(`mean pruning ratio per α bin (Gaussian limit ${gauss.toFixed(4)}):`);
  for (const line of table) console.log(`  ${line}`);

  await Deno.mkdir(job.out, { recursive: true });
  const csvRows = rows.map((r) => ({
    kind: r.kind,
    alpha: r.alpha,
    pruningRatio: r.ratio,
    alphaIndex: r.alphaIndex,
    n: job.n,
    d: job.d,
    epsilon: job.epsilon,
    centring: job.centring,
    seed: job.seed,
  }));
  const paths = await writeFigure(job.out, NAME, {
    spec: figureSpec(job, rows, gauss, means),
    rows: csvRows,
  });
  const seconds = (performance.now() - t0) / 1000;
  await updateReport(job.out, {
    name: NAME,
    title: "2106.03795 synthetic figure: tail index vs pruning ratio",
    part: "2106.03795",
    verdict: synthVerdict(means, gauss, { n: job.n, d: job.d, alphas: job.alphas }),
    paperRef: SYNTH_PAPER_REF,
    setting: `preset ${job.preset} · ${job.alphas} α, N = ${job.n}, d = ${job.d} · ` +
      gpu.describe(),
    claim: "W_ind (iid SαS) and W_col (iid elliptic columns) become more compressible (a larger " +
      `fraction prunable at relative error ${job.epsilon}) as α decreases; W_lay (one elliptic ` +
      "vector per layer) stays at the Gaussian value ≈ 0.265 for every α.",
    paper: SYNTH_AUTHORS,
    ours: [
      `preset ${job.preset}: ${job.alphas} α ~ U(1.75, 2) (seed ${job.seed}), ` +
      `N = ${job.n.toLocaleString("en-US")}, d = ${job.d}, ε = ${job.epsilon}, centring ` +
      `${job.centring}; adapter ${gpu.describe()}; ${seconds.toFixed(1)} s`,
      `Gaussian limit of the ratio ${gauss.toFixed(4)}; ratios span W_ind ` +
      `${spread(rows, "W_ind")}, W_col ${spread(rows, "W_col")}, W_lay ${spread(rows, "W_lay")}`,
      ...table.map((t) => `mean ratio, ${t}`),
    ],
  });
  console.log(`wrote ${paths.svg}, ${paths.png}, ${paths.csv} and ${job.out}/report.md`);
  console.log(`total ${seconds.toFixed(1)} s`);
}

/** The main of `deno task fig:synthetic`: parse the flags (Deno.args), then draw. */
export function figSyntheticMain(): Promise<void> {
  return runMain(() => figSynthetic(parseSyntheticJob(Deno.args)));
}
