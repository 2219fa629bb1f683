/**
 * Collapse facts MEASURED OUTSIDE THE FIGURE SCRIPTS (issue #25), quoted in the report beside the
 * preset's own counts, each labelled with where it comes from:
 *   - the authors' own code collapses too (an earlier session's replay of their code);
 *   - the noise our cpu preset's collapse-check runs actually drew, recomputed draw by draw by
 *     bench/noise_run_extremes.ts and compared with the exact law.
 * The counts of this project and of the PyTorch reference on the same seeds are not quoted: the
 * check computes them (collapse_check.ts).
 */

export interface ReferenceCount {
  /** Who ran it (our code, the PyTorch reference, the authors' code). */
  source: string;
  collapsed: number;
  runs: number;
  /** The setting and what the count consists of. */
  detail: string;
}

export const EARLIER_AUTHORS: ReferenceCount = {
  source: "the authors' code",
  collapsed: 1,
  runs: 3,
  detail: "Type III at width 1024: one of three seeds pruned 97.5% of units with 19.3% test " +
    "accuracy after pruning",
};

/** One threshold of the draw-level check: draws beyond x, observed and expected. */
export interface Exceedance {
  x: number;
  count: number;
  expected: number;
  /** Poisson P(N ≥ count) for N ~ Poisson(expected). */
  pAbove: number;
}

/**
 * `bench/noise_run_extremes.ts --preset cpu --store <the report's store>` on 2026-12-03: the
 * Type II α 1.75 noise of the hidden layer (512 × 784 per step) of the cpu preset's 40
 * collapse-check runs, regenerated from their keys with the sampler's CPU twin. Its output is
 * bench/results/2026-12-03-collapse/noise_extremes_cpu_type2_n512_seeds1-40.jsonl.
 */
export const CPU_NOISE_EXTREMES = {
  command: "bench/noise_run_extremes.ts --preset cpu --store <store>",
  runs: 40,
  draws: 4.57e9,
  beyond: [
    { x: 1e3, count: 5764, expected: 5749.24, pAbove: 0.42 },
    { x: 1e4, count: 119, expected: 102.24, pAbove: 0.057 },
    { x: 1e5, count: 3, expected: 1.82, pAbove: 0.27 },
  ] as Exceedance[],
  /** KS distance from uniform of P(a run's largest |X| ≥ observed), over the runs (exact p). */
  ksDistance: 0.135,
  ksP: 0.42,
  /** Runs whose largest draw passed 8·10⁴ (all five collapsed), and the law's expectation. */
  beyond8e4: { runs: 5, expected: 2.6, pAtLeast: 0.12 },
  /** The collapsed runs' largest draws and the weights they became (s·X, s = σ·lr^(1/α)). */
  collapsedDraws: "seeds 2, 4, 6 drew 1.27·10⁵, 2.21·10⁶ and 1.39·10⁵ (largest weights 101.5, " +
    "1697.8, 111.8); seeds 14 and 32 drew 9.85·10⁴ and 8.77·10⁴ (77.2, 70.5)",
  /** Seed 4's draw: P(a run's largest |X| ≥ 2.21·10⁶) under the exact law. */
  smallestP: 2.8e-4,
};
