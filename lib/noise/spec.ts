/**
 * What noise to add after each SGD step (2306.08125; docs/papers.md §A.4), its scale and its
 * RNG keys.
 *
 * With s = σ·lr^{1/α} and W a rows×cols weight matrix (row i = hidden unit i's incoming weights):
 * - Type I: W[i, :] += s·Z_i·1, one SαS(1) scalar per row (for a conv weight (out, in, kh, kw) pass
 *   rows = out, cols = in·kh·kw: one scalar per filter, the authors' `--iterate_noise_filter`).
 * - Type II: W[i, j] += s·Z_ij, iid SαS(1).
 * - Type III: W[i, :] += s·√A_i·G_i, A_i positive (α/2)-stable with E e^{−uA} = exp(−u^{α/2}),
 *   G_i ~ N(0, I). This is an isotropic α-stable vector whose coordinates are SαS with scale 1/√2,
 *   not 1, exactly as in the authors' code. Needs α < 2: their scale cos(πα/4)^{2/α} is 0 at α = 2.
 *   For a conv weight the authors' Type III is per kernel: pass rows = out·in, cols = kh·kw.
 *
 * α = 2: Types I and II draw N(0, 2) from CMS (the SαS(1) law at α = 2). The authors' Type I used
 * N(0, 1) there; `alpha2Convention: "authors"` reproduces that (Type I only; their Type II is
 * N(0, 2) too).
 */

/** 0 = none (plain SGD), 1, 2, 3 = Types I, II, III. */
export type NoiseType = 0 | 1 | 2 | 3;
export type Alpha2Convention = "cms" | "authors";

export interface NoiseSpec {
  type: NoiseType;
  /** Tail index, 0 < α ≤ 2 (Type III: α < 2). */
  alpha: number;
  /** Noise scale σ ≥ 0; the per-step scale is σ·lr^{1/α}. */
  sigma: number;
  /** Law of Type I at α = 2: "cms" = N(0, 2) (default), "authors" = N(0, 1). */
  alpha2Convention?: Alpha2Convention;
}

/** s = σ·lr^{1/α}, the scale of the noise added at each step. */
export function noiseScale(spec: NoiseSpec, lr: number): number {
  if (!(Number.isFinite(lr) && lr > 0)) throw new Error(`lr: ${lr} must be a positive number`);
  return spec.sigma * lr ** (1 / spec.alpha);
}

/** Checks an untrusted noise spec; throws an error naming the offending field. */
export function validateNoiseSpec(spec: unknown): NoiseSpec {
  if (typeof spec !== "object" || spec === null) throw new Error("noise spec must be an object");
  const s = spec as Record<string, unknown>;
  const { type, alpha, sigma, alpha2Convention } = s;
  if (type !== 0 && type !== 1 && type !== 2 && type !== 3) {
    throw new Error(`noise.type: ${String(type)} is not one of 0 (none), 1, 2, 3`);
  }
  if (typeof alpha !== "number" || !(alpha > 0 && alpha <= 2)) {
    throw new Error(`noise.alpha: ${String(alpha)} must be in (0, 2]`);
  }
  if (typeof sigma !== "number" || !(Number.isFinite(sigma) && sigma >= 0)) {
    throw new Error(`noise.sigma: ${String(sigma)} must be a finite number ≥ 0`);
  }
  if (
    alpha2Convention !== undefined && alpha2Convention !== "cms" && alpha2Convention !== "authors"
  ) {
    throw new Error(
      `noise.alpha2Convention: "${String(alpha2Convention)}" is not "cms" or "authors"`,
    );
  }
  if (type === 3 && alpha === 2) {
    throw new Error(
      "noise.alpha: Type III needs α < 2 (its mixing scale cos(πα/4)^{2/α} is 0 at α = 2); " +
        "use Type II with α = 2 for Gaussian noise",
    );
  }
  const out: NoiseSpec = { type, alpha, sigma };
  if (alpha2Convention !== undefined) out.alpha2Convention = alpha2Convention;
  return out;
}

/** First RNG stream of the noise; streams 0x3000..0x3fff belong to lib/noise. */
export const NOISE_STREAM_BASE = 0x3000;
/** Layers 0..MAX_NOISE_LAYER have their own streams. */
export const MAX_NOISE_LAYER = 1023;

/** What a stream's draws are used for. */
export const NoisePurpose = {
  /** One draw per row at counter (row, step, 0, 0): Type I's Z_i, Type III's A_i. */
  row: 0,
  /** One draw per element at counter (row·cols + col, step, 0, 0): Type II's Z_ij, Type III's G. */
  element: 1,
} as const;
export type NoisePurpose = typeof NoisePurpose[keyof typeof NoisePurpose];

/** RNG stream of (layer, purpose): key = (seed, 0x3000 + 4·layer + purpose). */
export function noiseStream(layer: number, purpose: NoisePurpose): number {
  if (!Number.isInteger(layer) || layer < 0 || layer > MAX_NOISE_LAYER) {
    throw new Error(`layer: ${layer} must be an integer in [0, ${MAX_NOISE_LAYER}]`);
  }
  return NOISE_STREAM_BASE + 4 * layer + purpose;
}

export interface InjectOptions {
  spec: NoiseSpec;
  /** Learning rate of the step (enters the scale σ·lr^{1/α}). */
  lr: number;
  seed: number;
  /** Layer index, picks the RNG streams. */
  layer: number;
  /** SGD step, counter word 1. */
  step: number;
}

/** The scale factors the kernels multiply their draws by: per-row part and per-element part. */
export interface ResolvedInjection {
  spec: NoiseSpec;
  /** s = σ·lr^{1/α}. */
  scale: number;
  /** Factor of Type I's row scalars: s, or s/√2 for alpha2Convention "authors" at α = 2. */
  rowScale: number;
}

/** Validates everything `injectNoise` takes; shared by the GPU path and its CPU reference. */
export function resolveInjection(
  rows: number,
  cols: number,
  opts: InjectOptions,
): ResolvedInjection {
  const spec = validateNoiseSpec(opts.spec);
  for (const [name, v] of [["rows", rows], ["cols", cols]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new Error(`${name}: ${v} must be a non-negative integer`);
    }
  }
  if (rows * cols > 0xffffffff) throw new Error(`rows·cols = ${rows * cols} exceeds 2^32 counters`);
  for (const [name, v] of [["seed", opts.seed], ["step", opts.step]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new Error(`${name}: ${v} must be an integer in [0, 2^32)`);
    }
  }
  noiseStream(opts.layer, NoisePurpose.row); // validates the layer
  const scale = noiseScale(spec, opts.lr);
  const authorsGauss = spec.type === 1 && spec.alpha === 2 && spec.alpha2Convention === "authors";
  return { spec, scale, rowScale: authorsGauss ? scale * Math.SQRT1_2 : scale };
}
