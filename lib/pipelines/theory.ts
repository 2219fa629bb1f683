/**
 * The theory illustration of 2306.08125 (docs/papers.md §A.9; labelled "illustrative"): for n
 * iid columns of each noise type, the relative Frobenius error of keeping only the κn largest-norm
 * columns. For α < 2 it falls towards 0 as n grows (heavy-tailed iid columns are compressible,
 * Gribonval et al. 2012); for Gaussian columns it stays near √(1−κ)·(something ≈ 1).
 */
import type { Gpu } from "../gpu/runtime.ts";
import { sampleNoise } from "../noise/sample.ts";
import type { NoiseType } from "../noise/spec.ts";
import { rowSquaredNormsHost } from "../prune/columns.ts";

/** ‖X − X_keep‖_F / ‖X‖_F when only the `keep` largest of the given squared norms are kept. */
export function topKeepError(sqNorms: Float64Array, keep: number): number {
  const sorted = Float64Array.from(sqNorms).sort();
  const total = sorted.reduce((a, b) => a + b, 0);
  let dropped = 0;
  for (let i = 0; i < sorted.length - keep; i++) dropped += sorted[i];
  return total > 0 ? Math.sqrt(dropped / total) : 0;
}

export interface TheoryPoint {
  type: NoiseType;
  alpha: number;
  n: number;
  kappa: number;
  rep: number;
  relError: number;
}

/**
 * Columns are the rows of an n×d noise matrix drawn by the training noise sampler with unit scale
 * (σ = 1, lr = 1), so Type I/II/III here are exactly what training injects per step.
 */
export async function compressibilityVsWidth(
  gpu: Gpu,
  opts: {
    types: NoiseType[];
    alphas: number[];
    widths: number[];
    kappas: number[];
    dim: number;
    reps: number;
    seed: number;
  },
  progress?: (done: number, total: number) => void,
): Promise<TheoryPoint[]> {
  const out: TheoryPoint[] = [];
  const total = opts.types.length * opts.alphas.length * opts.widths.length * opts.reps;
  let done = 0;
  for (const type of opts.types) {
    for (const alpha of opts.alphas) {
      for (const n of opts.widths) {
        for (let rep = 0; rep < opts.reps; rep++) {
          const spec = { type, alpha, sigma: 1 };
          // Type III is degenerate at α = 2 (scale 0); its Gaussian limit is iid N(0, 1/2) entries.
          const draw = type === 3 && alpha === 2 ? { ...spec, type: 2 as NoiseType } : spec;
          const x = await sampleNoise(gpu, {
            spec: draw,
            rows: n,
            cols: opts.dim,
            lr: 1,
            seed: opts.seed,
            layer: rep,
            step: n,
          });
          const sq = rowSquaredNormsHost(x, n, opts.dim);
          for (const kappa of opts.kappas) {
            out.push({
              type,
              alpha,
              n,
              kappa,
              rep,
              relError: topKeepError(sq, Math.round(kappa * n)),
            });
          }
          progress?.(++done, total);
        }
      }
    }
  }
  return out;
}
