/**
 * The synthetic compressibility experiment of 2106.03795 (docs/papers.md §B.8): for a
 * tail index α, three "layers" of N entries with SαS(α, 1) coordinates but different dependence:
 * - W_ind: N iid SαS(α, 1) scalars;
 * - W_col: N/d iid elliptic (sub-Gaussian) α-stable d-vectors, each √φ·G with one φ per vector;
 * - W_lay: one elliptic α-stable N-vector, √φ·G with a single φ for the whole layer.
 * φ is the positive (α/2)-stable with E e^{−sφ} = e^{−s^{α/2}} and G ~ N(0, 2·I), so each
 * coordinate has E e^{itX} = E e^{−t²φ} = e^{−|t|^α}: SαS(α, 1), the same law as W_ind. (The
 * authors' `simulate_mv_stable` uses scipy's scale 2·cos(πα/4)^{2/α} for φ and G ~ N(0, I), which
 * is the same law.) At α = 2, φ ≡ 1 and all three are N(0, 2).
 *
 * The adaptive prunable fraction is scale-invariant, so W_lay's equals that of its Gaussian G
 * whatever φ is: heavy tails give compressibility only through independence across vectors.
 *
 * Draws come from the Philox counter streams below (index i of a draw = counter word 0, the α
 * index = counter word 1), so the GPU samplers and their CPU twins give the same numbers up to f32
 * rounding.
 */
import type { Gpu } from "../gpu/runtime.ts";
import { sampleStable } from "../noise/sample.ts";
import { positiveHalfFromWords, sasFromWords, type Words4 } from "../reference/stable.ts";
import { drawAt, unitFloat } from "../rng/philox.ts";

export const SYNTH_STREAMS = {
  alphas: 0x7100,
  ind: 0x7101,
  colGauss: 0x7102,
  colPhi: 0x7103,
  layGauss: 0x7104,
  layPhi: 0x7105,
} as const;

export const SYNTH_KINDS = ["W_ind", "W_col", "W_lay"] as const;
export type SynthKind = typeof SYNTH_KINDS[number];

/** `count` tail indices uniform on (lo, hi), the i-th from Philox counter (i, 0, 0, 0). */
export function synthAlphas(count: number, seed: number, lo = 1.75, hi = 2): number[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count: ${count}`);
  if (!(lo > 0 && lo < hi && hi <= 2)) throw new RangeError(`alpha range (${lo}, ${hi})`);
  return Array.from(
    { length: count },
    (_, i) => lo + (hi - lo) * unitFloat(drawAt(seed >>> 0, SYNTH_STREAMS.alphas, 0, i)[0]),
  );
}

export interface SynthShape {
  /** Entries per layer. */
  n: number;
  /** Dimension of one W_col vector; must divide n. */
  d: number;
}

export function validateSynthShape({ n, d }: SynthShape): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n: ${n} must be a positive integer`);
  if (!Number.isInteger(d) || d < 1 || n % d !== 0) {
    throw new RangeError(`d: ${d} must be a positive integer dividing n = ${n}`);
  }
}

/** x_i ← √φ_{⌊i/group⌋}·x_i in place: elliptic vectors of length `group` from Gaussian parts. */
export function scaleGroups(g: Float32Array, phi: ArrayLike<number>, group: number): Float32Array {
  for (let i = 0; i < g.length; i++) g[i] *= Math.sqrt(phi[Math.floor(i / group)]);
  return g;
}

export type SynthLayers = Record<SynthKind, Float32Array>;

/** The three layers for α (index `step`) on the GPU. */
export async function sampleSynthetic(
  gpu: Gpu,
  alpha: number,
  step: number,
  shape: SynthShape,
  seed: number,
): Promise<SynthLayers> {
  validateSynthShape(shape);
  const { n, d } = shape;
  const draw = (kind: "sas" | "positive", a: number, count: number, stream: number) =>
    sampleStable(gpu, count, { kind, alpha: a, seed, stream, step });
  const phi = (count: number, stream: number) =>
    alpha < 2
      ? draw("positive", alpha, count, stream)
      : Promise.resolve(new Float32Array(count).fill(1));
  const ind = await draw("sas", alpha, n, SYNTH_STREAMS.ind);
  // SαS(2, 1) is N(0, 2): the Gaussian parts.
  const col = scaleGroups(
    await draw("sas", 2, n, SYNTH_STREAMS.colGauss),
    await phi(n / d, SYNTH_STREAMS.colPhi),
    d,
  );
  const lay = scaleGroups(
    await draw("sas", 2, n, SYNTH_STREAMS.layGauss),
    await phi(1, SYNTH_STREAMS.layPhi),
    n,
  );
  return { W_ind: ind, W_col: col, W_lay: lay };
}

/** CPU twin of `sampleSynthetic` (f64 formulas rounded to f32). */
export function sampleSyntheticCpu(
  alpha: number,
  step: number,
  shape: SynthShape,
  seed: number,
): SynthLayers {
  validateSynthShape(shape);
  const { n, d } = shape;
  const draw = (count: number, stream: number, f: (r: Words4) => number) =>
    Float32Array.from({ length: count }, (_, i) => f(drawAt(seed >>> 0, stream, step, i)));
  const sas = (a: number) => (r: Words4) => sasFromWords(a, r);
  const phi = (count: number, stream: number) =>
    alpha < 2
      ? draw(count, stream, (r) => positiveHalfFromWords(alpha, r))
      : new Float32Array(count).fill(1);
  return {
    W_ind: draw(n, SYNTH_STREAMS.ind, sas(alpha)),
    W_col: scaleGroups(
      draw(n, SYNTH_STREAMS.colGauss, sas(2)),
      phi(n / d, SYNTH_STREAMS.colPhi),
      d,
    ),
    W_lay: scaleGroups(draw(n, SYNTH_STREAMS.layGauss, sas(2)), phi(1, SYNTH_STREAMS.layPhi), n),
  };
}
