/**
 * Issue #23 item 3, GEMM half: our GEMMs on a CPU adapter next to NumPy's sgemm and PyTorch's CPU
 * matmul (its default threads) on the same machine, in one run, at 1024³ and the training shapes
 * of the authors' MNIST setting (d 784, batch 500, widths 512, 1024, 2048). Ours (the variant
 * `gemm` chooses, and the one it chose before the register-blocked variant, timed round-robin)
 * between two runs of bench/torch_step.py --cpu-gemm as a subprocess, whose JSON lines (kind
 * cpuGemm, impl numpy or torch) are parsed here. Ratios are GFLOP/s of ours / theirs.
 */
import type { Gpu } from "../gpu/runtime.ts";
import { chooseGemmVariant, gemm, type GemmMode, type GemmVariant } from "../ops/gemm.ts";
import { fill } from "../ops/nn.ts";
import { medianOf } from "./measure.ts";
import { type GemmShape, gemmShapes } from "./plan.ts";
import { runTorchStep } from "./torch_script.ts";

/** bench/torch_step.py GEMM_CPU_SHAPES: keep the two in step. */
export const GEMM_CPU_SHAPES = {
  authors: { batch: 500, inputDim: 784, classes: 10, widths: [512, 1024, 2048], squares: [1024] },
  quick: { batch: 48, inputDim: 32, classes: 10, widths: [16], squares: [64] },
} as const;
export type GemmCpuScale = keyof typeof GEMM_CPU_SHAPES;

/** The choice on software adapters before the reg variant (lib/ops/gemm.ts at 1c0df82). */
export function previousSoftwareVariant(m: number, n: number, k: number): GemmVariant {
  if (m * n * k < 32 * 32 * 32 || m < 16 || n < 16) return "naive";
  return m >= 128 && n >= 64 ? "t128x64" : "t32";
}

export interface GemmCpuRow {
  shape: GemmShape;
  chosen: GemmVariant;
  previous: GemmVariant;
  /** GFLOP/s. */
  ours: number;
  oursPrevious: number;
  numpy?: number;
  torch?: number;
}

export interface GemmCpuComparison {
  ours: string;
  torch?: string;
  rows: GemmCpuRow[];
}

const gflops = (s: { m: number; n: number; k: number }, ms: number) =>
  (2 * s.m * s.n * s.k) / (ms * 1e6);

/** Our GFLOP/s for the chosen and the previous variant of each shape (wall clock, median). */
export async function timeOurGemms(
  gpu: Gpu,
  scale: GemmCpuScale,
  repeats: number,
  log: (line: string) => void = () => {},
): Promise<GemmCpuRow[]> {
  const rows: GemmCpuRow[] = [];
  const sh = GEMM_CPU_SHAPES[scale];
  for (const shape of gemmShapes({ ...sh, widths: [...sh.widths], squares: [...sh.squares] })) {
    const { mode, m, n, k } = shape;
    const [a, b, c] = [gpu.tensor([m * k]), gpu.tensor([k * n]), gpu.tensor([m * n])];
    const init = gpu.batch();
    fill(gpu, init, a, 0.01, m * k);
    fill(gpu, init, b, 0.02, k * n);
    init.submit();
    const chosen = chooseGemmVariant(gpu, m, n, k);
    const previous = previousSoftwareVariant(m, n, k);
    const inner = Math.max(1, Math.min(50, Math.round(2e8 / (2 * m * n * k))));
    const run = async (variant: GemmVariant, times: number) => {
      const t0 = performance.now();
      for (let i = 0; i < times; i++) {
        const batch = gpu.batch();
        gemm(gpu, batch, mode as GemmMode, a, b, c, m, n, k, { variant });
        batch.submit();
      }
      await gpu.sync();
      return (performance.now() - t0) / times;
    };
    await run(chosen, 1); // compiles
    await run(previous, 1);
    const [now, before]: number[][] = [[], []];
    for (let r = 0; r < repeats; r++) {
      now.push(await run(chosen, inner));
      before.push(await run(previous, inner));
    }
    const row: GemmCpuRow = {
      shape,
      chosen,
      previous,
      ours: gflops(shape, medianOf(now)),
      oursPrevious: gflops(shape, medianOf(before)),
    };
    log(
      `ours ${shape.role} ${mode} ${m}×${n}×${k}: ${chosen} ${row.ours.toFixed(2)} GFLOP/s, ` +
        `${previous} ${row.oursPrevious.toFixed(2)}`,
    );
    rows.push(row);
    for (const t of [a, b, c]) t.destroy();
  }
  return rows;
}

/** NumPy's and torch's side: runs bench/torch_step.py; throws with its stderr when it fails. */
export async function runReferenceGemms(
  scale: GemmCpuScale,
  python = "python3",
): Promise<Record<string, unknown>[]> {
  return await runTorchStep(["--cpu-gemm", scale], python);
}

/**
 * NumPy and torch, ours, then NumPy and torch again, joined by shape. Each reference keeps the
 * faster of its two runs, which bracket ours in time: on a shared machine whose load drifts, the
 * ratios then lean against us rather than for us.
 */
export async function compareGemmsCpu(
  gpu: Gpu,
  scale: GemmCpuScale,
  repeats: number,
  log: (line: string) => void = () => {},
): Promise<GemmCpuComparison> {
  log(`reference (before ours): python3 bench/torch_step.py --cpu-gemm ${scale}`);
  const before = await runReferenceGemms(scale);
  const rows = await timeOurGemms(gpu, scale, repeats, log);
  log(`reference (after ours): python3 bench/torch_step.py --cpu-gemm ${scale}`);
  const refs = [...before, ...await runReferenceGemms(scale)];
  let torch: string | undefined;
  for (const r of refs) {
    if (r.kind !== "cpuGemm") continue;
    const row = rows.find((x) =>
      x.shape.mode === r.mode && x.shape.m === r.m && x.shape.n === r.n && x.shape.k === r.k
    );
    if (!row || typeof r.gflops !== "number") {
      throw new Error(`bench/torch_step.py --cpu-gemm: unexpected record ${JSON.stringify(r)}`);
    }
    if (r.impl === "numpy") row.numpy = Math.max(row.numpy ?? 0, r.gflops);
    else if (r.impl === "torch") {
      row.torch = Math.max(row.torch ?? 0, r.gflops);
      torch = String(r.adapter);
    }
  }
  return { ours: gpu.describe(), torch, rows };
}

const pct = (a: number, b: number | undefined) =>
  b === undefined ? "—" : `${((100 * a) / b).toFixed(0)}%`;
const num = (v: number | undefined) => v === undefined ? "—" : v.toFixed(2);

/** The comparison as a Markdown table (GFLOP/s, ratios as % of NumPy and of torch). */
export function formatGemmCpuComparison(c: GemmCpuComparison): string {
  const head = [
    `GEMM on ${c.ours} vs NumPy sgemm and PyTorch CPU matmul (${c.torch ?? "torch"}), GFLOP/s`,
    "",
    "| shape | mode | m×n×k | ours (chosen) | ours before | NumPy | torch | ours % NumPy | " +
    "ours % torch | before % NumPy |",
    "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  const body = c.rows.map((r) => {
    const s = r.shape;
    const label = s.width === undefined ? s.role : `${s.role} w${s.width}`;
    return `| ${label} | ${s.mode} | ${s.m}×${s.n}×${s.k} | ${r.chosen} ${num(r.ours)} | ` +
      `${r.previous} ${num(r.oursPrevious)} | ${num(r.numpy)} | ${num(r.torch)} | ` +
      `${pct(r.ours, r.numpy)} | ${pct(r.ours, r.torch)} | ${pct(r.oursPrevious, r.numpy)} |`;
  });
  return [...head, ...body].join("\n");
}
