/**
 * One colour per meaning, in every figure of the project:
 *
 * - plain SGD is always near-black;
 * - a noise type has one hue whatever its α (Type I blue, Type II orange, Type III green);
 * - a tail index α on its own (the theory figure) runs along a sequential ramp, dark = heavy tails,
 *   light = Gaussian, with reference curves in grey;
 * - each 2106.03795 pruning method has its own hue, distinct from the noise types;
 * - layer k of the figure's n layers runs along viridis, as in the authors' notebook figure.
 *
 * Labels with no meaning here (a model and batch size, say) take the next colour of a fallback
 * palette that avoids the semantic hues, in the order given, so a figure stays deterministic.
 */

export const SGD_COLOUR = "#222222";
export const REFERENCE_COLOUR = "#9a9a9a";

export const TYPE_COLOURS: Record<string, string> = {
  "Type I": "#2563c9",
  "Type II": "#e8710a",
  "Type III": "#1e9e4a",
};

export const PRUNING_COLOURS: Record<string, string> = {
  "magnitude-global": "#c2185b",
  magnitude: "#7b3fbf",
  node: "#8d5a2b",
  spectral: "#00838f",
};

/** Colours for labels without a meaning of their own (none is a semantic hue above). */
export const FALLBACK = [
  "#4e79a7",
  "#b07aa1",
  "#9c755f",
  "#76b7b2",
  "#edc948",
  "#ff9da7",
  "#59a14f",
  "#f28e2b",
  "#e15759",
  "#bab0ac",
];

const VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#c8d92c"];
/** Heavy tails dark, Gaussian light (magma-like, ending before the near-white end). */
const ALPHA_RAMP = ["#2d1160", "#721f81", "#b63679", "#e65164", "#f8945f", "#e8a93a"];

function hex(c: string): number[] {
  return [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));
}

/** The colour at t ∈ [0, 1] along `stops` (linear in RGB). */
export function ramp(stops: string[], t: number): string {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const a = hex(stops[i]);
  const b = hex(stops[i + 1]);
  const f = u - i;
  return "#" + a.map((v, k) => Math.round(v + (b[k] - v) * f).toString(16).padStart(2, "0"))
    .join("");
}

/** α ∈ [1.4, 2] along the tail-index ramp (values outside are clamped). */
export function alphaColour(alpha: number): string {
  return ramp(ALPHA_RAMP, (alpha - 1.4) / 0.6);
}

/** Layer k (1-based) of up to `of` layers, along viridis. */
export function layerColour(k: number, of = 8): string {
  return ramp(VIRIDIS, of > 1 ? (k - 1) / (of - 1) : 0);
}

/**
 * The colour a series label means, or undefined for a label with no fixed meaning. `layers` is
 * the number of layers the figure shows (layer colours spread over it).
 */
export function semanticColour(label: string, layers = 8): string | undefined {
  if (/^SGD\b/.test(label)) return SGD_COLOUR;
  const type = /^(Type (?:III|II|I))\b/.exec(label);
  if (type) return TYPE_COLOURS[type[1]];
  for (const [method, colour] of Object.entries(PRUNING_COLOURS)) {
    if (label === method || label.startsWith(`${method} `)) return colour;
  }
  const alpha = /^α\s*=\s*([\d.]+)/.exec(label);
  if (alpha) return alphaColour(Number(alpha[1]));
  const layer = /^layer (\d+)/.exec(label);
  if (layer) return layerColour(Number(layer[1]), layers);
  if (/^√|reference|limit/i.test(label)) return REFERENCE_COLOUR;
  return undefined;
}

/** The colour of each label: its meaning's, else the next fallback colour. */
export function seriesColours(labels: string[]): string[] {
  let next = 0;
  const layers = Math.max(2, ...labels.map((l) => Number(/^layer (\d+)/.exec(l)?.[1] ?? 0)));
  return labels.map((l) => semanticColour(l, layers) ?? FALLBACK[next++ % FALLBACK.length]);
}
