/**
 * Issue #23 item 3: our trainer's step and evaluation pass next to PyTorch's on the same CPU, in
 * one run. PyTorch's side is bench/torch_step.py --cpu-compare (CPU, torch's default threads),
 * run as a subprocess after ours at each width; its JSON lines (kinds cpuAdapter, cpuStep,
 * cpuEval) are parsed here. The ratios are ours / PyTorch:
 *   step     our step with noise type k / torch's step with the same noise drawn by torch
 *   authors  our Type II step / torch's Type II step with the noise drawn on the host in float64
 *            by scipy (or NumPy): the authors' way
 *   eval     our evaluation pass over `trainRows` images / torch's forward pass over them
 * Targets: step (SGD) ≤ 4× at widths 512 and 1024, Type II ≤ 0.5× the authors', eval ≤ 3×.
 */
import type { Gpu } from "../gpu/runtime.ts";
import type { NoiseSpec } from "../noise/inject.ts";
import { AUTHORS_SHAPE, timeTraining, type TrainBenchShape } from "./train_step.ts";
import { runTorchStep } from "./torch_script.ts";

/** bench/torch_step.py CPU_SHAPES: keep the two in step. */
export const CPU_SHAPES = {
  authors: { ...AUTHORS_SHAPE, widths: [512, 1024, 2048], steps: 3, repeats: 3 },
  quick: {
    batch: 48,
    inputDim: 32,
    classes: 10,
    trainRows: 96,
    testRows: 48,
    widths: [16, 32],
    steps: 1,
    repeats: 1,
  },
} as const;
export type CpuScale = keyof typeof CPU_SHAPES;

export const STEP_VARIANTS = ["sgd", "type1", "type2", "type3"] as const;
type StepVariant = typeof STEP_VARIANTS[number];

export interface CpuRow {
  width: number;
  ours: Partial<Record<StepVariant, number>>;
  torch: Partial<Record<StepVariant | "type2-authors", number>>;
  oursEval?: number;
  torchEval?: number;
}

export interface CpuComparison {
  ours: string;
  torch?: string;
  noiseSource?: string;
  rows: CpuRow[];
  trainRows: number;
}

function noiseOf(v: StepVariant, alpha: number): NoiseSpec {
  return v === "sgd"
    ? { type: 0, alpha: 2, sigma: 0 }
    : { type: Number(v[4]) as 1 | 2 | 3, alpha, sigma: 0.01 };
}

/** PyTorch's side: runs bench/torch_step.py; throws with its stderr when it fails. */
export async function runTorchCpu(
  scale: CpuScale,
  alpha: number,
  widths?: number[],
  python = "python3",
): Promise<Record<string, unknown>[]> {
  const args = ["--cpu-compare", scale, "--alpha", String(alpha)];
  if (widths) args.push("--widths", widths.join(","));
  return await runTorchStep(args, python);
}

/**
 * Both sides at `scale`, width by width: ours, then PyTorch at the same width right after (so
 * that the load of a shared machine drifts less between the two; log: progress lines).
 */
export async function compareCpu(
  gpu: Gpu,
  scale: CpuScale,
  alpha: number,
  log: (line: string) => void = () => {},
): Promise<CpuComparison> {
  const plan = CPU_SHAPES[scale];
  const result: CpuComparison = { ours: gpu.describe(), rows: [], trainRows: plan.trainRows };
  for (const width of plan.widths) {
    const shape: TrainBenchShape = { ...plan, width };
    const row: CpuRow = { width, ours: {}, torch: {} };
    for (const v of STEP_VARIANTS) {
      const t = await timeTraining(gpu, shape, noiseOf(v, alpha), {
        steps: plan.steps,
        repeats: plan.repeats,
        evaluation: v === "sgd",
      });
      row.ours[v] = t.stepMs;
      log(`ours step n=${width} ${v}: ${t.stepMs.toFixed(1)} ms`);
      if (v === "sgd") {
        row.oursEval = t.evalMs;
        log(`ours evaluation n=${width} rows=${plan.trainRows}: ${t.evalMs.toFixed(1)} ms`);
      }
    }
    log(`torch: python3 bench/torch_step.py --cpu-compare ${scale} --widths ${width}`);
    for (const r of await runTorchCpu(scale, alpha, [width])) {
      if (r.kind === "cpuAdapter") result.torch = `${r.adapter}, ${r.runtime}`;
      if (r.n !== width) continue;
      if (r.kind === "cpuStep") {
        row.torch[r.variant as StepVariant] = r.ms as number;
        if (r.variant === "type2-authors") result.noiseSource = r.noiseSource as string;
      } else if (r.kind === "cpuEval") row.torchEval = r.ms as number;
    }
    result.rows.push(row);
  }
  return result;
}

const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(1));
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !(b > 0) ? "—" : `${(a / b).toFixed(2)}×`;

/** The comparison as Markdown: ms per step and pass, and the ratios ours / PyTorch. */
export function formatCpuComparison(c: CpuComparison): string {
  const head = [
    "n",
    ...STEP_VARIANTS.map((v) => `ours ${v}`),
    ...STEP_VARIANTS.map((v) => `torch ${v}`),
    "torch type2 (authors)",
    `ours eval`,
    `torch eval`,
  ];
  const ratioHead = [
    "n",
    ...STEP_VARIANTS.map((v) => `${v} ours/torch`),
    "type2 ours/authors",
    "eval ours/torch",
  ];
  const lines = [
    `ours: ${c.ours}; torch: ${c.torch ?? "—"}`,
    `authors' Type II noise: ${c.noiseSource ?? "—"}; evaluation over ${c.trainRows} images`,
    "",
    "ms per step / per evaluation pass (host clock)",
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...c.rows.map((r) =>
      `| ${
        [
          r.width,
          ...STEP_VARIANTS.map((v) => ms(r.ours[v])),
          ...STEP_VARIANTS.map((v) => ms(r.torch[v])),
          ms(r.torch["type2-authors"]),
          ms(r.oursEval),
          ms(r.torchEval),
        ].join(" | ")
      } |`
    ),
    "",
    "Ratios ours / PyTorch (targets: SGD step ≤ 4× at n 512 and 1024; Type II ≤ 0.5× the " +
    "authors'; eval ≤ 3×)",
    "",
    `| ${ratioHead.join(" | ")} |`,
    `|${ratioHead.map(() => "---").join("|")}|`,
    ...c.rows.map((r) =>
      `| ${
        [
          r.width,
          ...STEP_VARIANTS.map((v) => ratio(r.ours[v], r.torch[v])),
          ratio(r.ours.type2, r.torch["type2-authors"]),
          ratio(r.oursEval, r.torchEval),
        ].join(" | ")
      } |`
    ),
  ];
  return lines.join("\n");
}
