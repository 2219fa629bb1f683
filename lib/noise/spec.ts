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

import { z } from "zod";

/** A refused value as the messages quote it. */
function quoted(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Messages that name the refused value and the accepted range. */
const refusing = (range: string) => ({
  error: (i: { input: unknown }) => `${quoted(i.input)} ${range}`,
});

const ALPHA_RANGE = "must be in (0, 2]";
const SIGMA_RANGE = "must be a finite number ≥ 0";

/**
 * The fields every noise setting has. The one definition of what noise settings are valid:
 * `NoiseSettingsSchema` (a training config's noise) and `NoiseSpecSchema` (what the noise
 * kernels take) are both built from it.
 */
const NOISE_FIELDS = {
  /** 0 = none (plain SGD); 1, 2, 3 = the paper's Types I, II, III. */
  type: z.union(
    [z.literal(0), z.literal(1), z.literal(2), z.literal(3)],
    refusing("is not one of 0 (none), 1, 2, 3"),
  ),
  /** Tail index, 0 < α ≤ 2 (Type III: α < 2). */
  alpha: z.number(refusing(ALPHA_RANGE)).gt(0, refusing(ALPHA_RANGE)).lte(2, refusing(ALPHA_RANGE)),
  /** Noise scale σ ≥ 0; the per-step scale is σ·lr^{1/α}. */
  sigma: z.number(refusing(SIGMA_RANGE)).gte(0, refusing(SIGMA_RANGE)),
};

/** Type III's mixing scale cos(πα/4)^{2/α} is 0 at α = 2. */
function typeIIINeedsAlphaBelow2(
  noise: { type: number; alpha: number },
  ctx: z.RefinementCtx,
): void {
  if (noise.type === 3 && noise.alpha === 2) {
    ctx.addIssue({
      code: "custom",
      path: ["alpha"],
      message: "Type III needs α < 2 (its mixing scale cos(πα/4)^{2/α} is 0 at α = 2); " +
        "use Type II with α = 2 for Gaussian noise",
    });
  }
}

/** The noise of a training config: exactly type, alpha and sigma (the fields run keys hash). */
export const NoiseSettingsSchema = z.strictObject(NOISE_FIELDS).superRefine(
  typeIIINeedsAlphaBelow2,
);

/** A noise spec as the kernels take it: the settings, plus the α = 2 law of Type I. */
export const NoiseSpecSchema = z.object({
  ...NOISE_FIELDS,
  /** Law of Type I at α = 2: "cms" = N(0, 2) (default), "authors" = N(0, 1). */
  alpha2Convention: z.enum(["cms", "authors"], refusing('is not "cms" or "authors"')).optional(),
}).superRefine(typeIIINeedsAlphaBelow2);

export type NoiseSpec = z.infer<typeof NoiseSpecSchema>;
/** 0 = none (plain SGD), 1, 2, 3 = Types I, II, III. */
export type NoiseType = NoiseSpec["type"];
export type Alpha2Convention = NonNullable<NoiseSpec["alpha2Convention"]>;

/** The first problem zod found in a noise setting, as "noise.<field>: <why>". */
function noiseIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `noise${issue.path.map((p) => `.${String(p)}`).join("")}: ${issue.message}`;
}

/** s = σ·lr^{1/α}, the scale of the noise added at each step. */
export function noiseScale(spec: NoiseSpec, lr: number): number {
  if (!(Number.isFinite(lr) && lr > 0)) throw new Error(`lr: ${lr} must be a positive number`);
  return spec.sigma * lr ** (1 / spec.alpha);
}

/** Checks an untrusted noise spec; throws an error naming the offending field. */
export function validateNoiseSpec(spec: unknown): NoiseSpec {
  if (typeof spec !== "object" || spec === null) throw new Error("noise spec must be an object");
  const parsed = NoiseSpecSchema.safeParse(spec);
  if (!parsed.success) throw new Error(noiseIssue(parsed.error));
  return parsed.data;
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
