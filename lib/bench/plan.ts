/**
 * What the benchmark of issue #8 measures: the GEMM shapes of one MNIST training step (one
 * hidden layer of width n, batch B, input d, 10 classes) plus square products, and full HT-SGD
 * steps for noise types 0–III, at one of three scales:
 *   full      the real shapes: B = 5000, d = 784, n ∈ {2000, 5000, 10000}, 4096³ and 8192³
 *   software  for CPU adapters (llvmpipe): B/20, d/4, n/20, 256³ (a measurement well under 2 s)
 *   quick     tiny shapes and one repeat, for tests
 * bench/torch_step.py lists the same full shapes; keep the two in step.
 */
import type { GemmMode } from "../ops/gemm.ts";

export type BenchScale = "full" | "software" | "quick";

/** Where a product occurs in the training step (B×d input X, n×d W1, 10×n W2). */
export type GemmRole =
  | "hidden-forward" // H = X·W1ᵀ          nt  B×n×d
  | "hidden-grad" //    ∇W1 = D1ᵀ·X         tn  n×d×B
  | "output-forward" // logits = H·W2ᵀ     nt  B×10×n
  | "output-grad" //    ∇W2 = D2ᵀ·H         tn  10×n×B
  | "hidden-delta" //   D1 = D2·W2          nn  B×n×10
  | "square"; //                            nn  S×S×S

export interface GemmShape {
  role: GemmRole;
  mode: GemmMode;
  m: number;
  n: number;
  k: number;
  /** Hidden width of the training shape; undefined for squares. */
  width?: number;
}

export interface BenchPlan {
  scale: BenchScale;
  batch: number;
  inputDim: number;
  classes: number;
  widths: number[];
  squares: number[];
  /** Rows of the synthetic training set the minibatches are gathered from. */
  dataRows: number;
  /** Untimed runs before timing (also compiles the pipelines). */
  warmup: number;
  /** Timed repeats; the reported value is their median. */
  repeats: number;
  /** Runs per repeat (a repeat's value is their mean): GEMMs and steps. */
  gemmInner: number;
  stepInner: number;
  /** The VGG11 step: first-conv width and batch (full: vgg11_wide at batch 128). */
  cnn: { width: number; batch: number };
}

/** The real shapes of issue #8. */
export const FULL_SHAPES = {
  batch: 5000,
  inputDim: 784,
  classes: 10,
  widths: [2000, 5000, 10000],
  squares: [4096, 8192],
} as const;

export function benchPlan(scale: BenchScale): BenchPlan {
  switch (scale) {
    case "full":
      return {
        scale,
        ...FULL_SHAPES,
        widths: [...FULL_SHAPES.widths],
        squares: [...FULL_SHAPES.squares],
        dataRows: 60000,
        warmup: 3,
        repeats: 10,
        gemmInner: 3,
        stepInner: 5,
        cnn: { width: 128, batch: 128 },
      };
    case "software":
      // ~50 MFLOP per hidden-layer product: 20–100 ms per GEMM on a 2-core llvmpipe.
      return {
        scale,
        batch: FULL_SHAPES.batch / 20,
        inputDim: FULL_SHAPES.inputDim / 4,
        classes: FULL_SHAPES.classes,
        widths: FULL_SHAPES.widths.map((n) => n / 20),
        squares: [256],
        dataRows: 4 * (FULL_SHAPES.batch / 20),
        warmup: 1,
        repeats: 3,
        gemmInner: 1,
        stepInner: 1,
        cnn: { width: 8, batch: 16 },
      };
    case "quick":
      return {
        scale,
        batch: 48,
        inputDim: 32,
        classes: FULL_SHAPES.classes,
        widths: [16, 32, 64],
        squares: [64],
        dataRows: 96,
        warmup: 1,
        repeats: 1,
        gemmInner: 1,
        stepInner: 1,
        cnn: { width: 2, batch: 4 },
      };
  }
}

/** The GEMM shapes of the plan: five per width (in step order), then the squares. */
export function gemmShapes(
  plan: Pick<BenchPlan, "batch" | "inputDim" | "classes" | "widths" | "squares">,
): GemmShape[] {
  const { batch: b, inputDim: d, classes: c } = plan;
  const out: GemmShape[] = [];
  for (const w of plan.widths) {
    out.push(
      { role: "hidden-forward", mode: "nt", m: b, n: w, k: d, width: w },
      { role: "output-forward", mode: "nt", m: b, n: c, k: w, width: w },
      { role: "output-grad", mode: "tn", m: c, n: w, k: b, width: w },
      { role: "hidden-delta", mode: "nn", m: b, n: w, k: c, width: w },
      { role: "hidden-grad", mode: "tn", m: w, n: d, k: b, width: w },
    );
  }
  for (const s of plan.squares) out.push({ role: "square", mode: "nn", m: s, n: s, k: s });
  return out;
}

/** 2·m·n·k. */
export function gemmFlops(s: { m: number; n: number; k: number }): number {
  return 2 * s.m * s.n * s.k;
}
