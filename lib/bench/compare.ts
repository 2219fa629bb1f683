/**
 * Side-by-side comparison of our records with PyTorch's (bench/torch_step.py) against the
 * targets of issue #8:
 *   - GEMM: ≥ 60% of cuBLAS FP32 TFLOP/s at the training shapes,
 *   - step: an HT-SGD step with noise within 1.3× of PyTorch's noiseless step,
 *   - noise: adding noise costs ≤ 10% of our noiseless step.
 * Records are matched by shape: GEMMs by (mode, m, n, k), steps by (n, batch, d). When a file
 * holds the same measurement twice, the later line wins.
 */
import type { BenchRecord, GemmRecord, NoiseRecord, StepRecord } from "./records.ts";

export const TARGETS = {
  /** Our TFLOP/s / cuBLAS TFLOP/s at the training shapes, at least. */
  gemmFraction: 0.6,
  /** Our step with noise / PyTorch's noiseless step, at most. */
  stepRatio: 1.3,
  /** Our step(type k) / our step(type 0) − 1, at most. */
  noiseOverhead: 0.1,
} as const;

export interface VariantResult {
  variant: string;
  tflops: number;
}

export interface GemmComparison {
  role: string;
  mode: string;
  m: number;
  n: number;
  k: number;
  width: number | null;
  /** cuBLAS TFLOP/s (undefined when the torch file lacks this shape). */
  cublas?: number;
  /** Our TFLOP/s per variant. */
  ours: Record<string, number>;
  best?: VariantResult;
  chosen?: VariantResult;
  /** best / cuBLAS and chosen / cuBLAS. */
  bestFraction?: number;
  chosenFraction?: number;
}

type PerType = [number | undefined, number | undefined, number | undefined, number | undefined];

export interface StepComparison {
  n: number;
  batch: number;
  d: number;
  /** ms per step for noise types 0, I, II, III. */
  torchMs: PerType;
  oursMs: PerType;
  /** ours(type k) / torch(type 0). */
  vsTorchNoiseless: PerType;
  /** ours(type k) / torch(type k). */
  vsTorchSameNoise: PerType;
  /** step(type k) / step(type 0) − 1 (index 0 is 0 when type 0 exists). */
  oursOverhead: PerType;
  torchOverhead: PerType;
  /** The noise injection timed alone / the noiseless step (a direct view of the overhead). */
  oursNoiseAlone: PerType;
  torchNoiseAlone: PerType;
}

export interface Verdict {
  checked: number;
  passed: number;
  /** The worst value seen (lowest fraction, highest ratio or overhead). */
  worst?: number;
}

export interface Comparison {
  adapters: { ours?: string; torch?: string };
  /** The reference's GEMM name ("cublas", or "torch-cpu" in smoke tests). */
  reference: string;
  methods: { ours?: string; torch?: string };
  gemms: GemmComparison[];
  steps: StepComparison[];
  verdicts: {
    /** Chosen variant ≥ 60% of cuBLAS, over training shapes present in both runs. */
    gemmChosen: Verdict;
    /** Best variant ≥ 60% of cuBLAS. */
    gemmBest: Verdict;
    /** Our noisy steps (types I–III) ≤ 1.3× torch's noiseless step. */
    stepRatio: Verdict;
    /** Our noise overhead (types I–III) ≤ 10%. */
    noiseOverhead: Verdict;
  };
}

/** Slack for rounding when a value sits exactly on a target (5.5 / 5 − 1 = 0.1000…09). */
const EPS = 1e-9;

const gemmKey = (r: { mode: string; m: number; n: number; k: number }) =>
  `${r.mode} ${r.m}×${r.n}×${r.k}`;
const stepKey = (r: { n: number; batch: number; d: number }) => `${r.n} ${r.batch} ${r.d}`;

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

function verdict(values: (number | undefined)[], ok: (v: number) => boolean, low: boolean) {
  const seen = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const out: Verdict = { checked: seen.length, passed: seen.filter(ok).length };
  if (seen.length) out.worst = low ? Math.min(...seen) : Math.max(...seen);
  return out;
}

function newGemmRow(r: GemmRecord): GemmComparison {
  return { role: r.role, mode: r.mode, m: r.m, n: r.n, k: r.k, width: r.width ?? null, ours: {} };
}

function newStepRow(r: StepRecord): StepComparison {
  const none = (): PerType => [undefined, undefined, undefined, undefined];
  return {
    n: r.n,
    batch: r.batch,
    d: r.d,
    torchMs: none(),
    oursMs: none(),
    vsTorchNoiseless: none(),
    vsTorchSameNoise: none(),
    oursOverhead: none(),
    torchOverhead: none(),
    oursNoiseAlone: none(),
    torchNoiseAlone: none(),
  };
}

/** The row of `key` in `rows`, made by `make` the first time. */
function rowOf<R>(rows: Map<string, R>, key: string, make: () => R): R {
  let row = rows.get(key);
  if (!row) rows.set(key, row = make());
  return row;
}

/** Each GEMM's best variant and the chosen one, as fractions of the reference's TFLOP/s. */
function rateGemms(gemms: Map<string, GemmComparison>, chosenVariant: Map<string, string>) {
  for (const [key, row] of gemms) {
    const entries = Object.entries(row.ours);
    if (entries.length) {
      const [variant, tflops] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
      row.best = { variant, tflops };
      row.bestFraction = ratio(tflops, row.cublas);
    }
    const chosen = chosenVariant.get(key);
    if (chosen !== undefined && row.ours[chosen] !== undefined) {
      row.chosen = { variant: chosen, tflops: row.ours[chosen] };
      row.chosenFraction = ratio(row.chosen.tflops, row.cublas);
    }
  }
}

/** Each step's ratios to PyTorch and noise overheads (whole step, and injection alone). */
function rateSteps(steps: Iterable<StepComparison>, noise: readonly NoiseRecord[]) {
  for (const row of steps) {
    for (let t = 0; t < 4; t++) {
      row.vsTorchNoiseless[t] = ratio(row.oursMs[t], row.torchMs[0]);
      row.vsTorchSameNoise[t] = ratio(row.oursMs[t], row.torchMs[t]);
      const o = ratio(row.oursMs[t], row.oursMs[0]);
      const p = ratio(row.torchMs[t], row.torchMs[0]);
      row.oursOverhead[t] = o === undefined ? undefined : o - 1;
      row.torchOverhead[t] = p === undefined ? undefined : p - 1;
    }
    for (const r of noise) {
      if (r.n !== row.n || r.d !== row.d) continue;
      const [alone, base] = r.impl === "torch"
        ? [row.torchNoiseAlone, row.torchMs[0]]
        : [row.oursNoiseAlone, row.oursMs[0]];
      alone[r.noiseType] = ratio(r.ms, base);
    }
  }
}

/** The targets' verdicts over the training GEMMs and the noisy steps. */
function verdictsOf(gemms: GemmComparison[], steps: StepComparison[]): Comparison["verdicts"] {
  const training = gemms.filter((g) => g.role !== "square");
  const noisy = (xs: PerType[]) => xs.flatMap((x) => x.slice(1));
  return {
    gemmChosen: verdict(
      training.map((g) => g.chosenFraction),
      (v) => v >= TARGETS.gemmFraction - EPS,
      true,
    ),
    gemmBest: verdict(
      training.map((g) => g.bestFraction),
      (v) => v >= TARGETS.gemmFraction - EPS,
      true,
    ),
    stepRatio: verdict(
      noisy(steps.map((s) => s.vsTorchNoiseless)),
      (v) => v <= TARGETS.stepRatio + EPS,
      false,
    ),
    noiseOverhead: verdict(
      noisy(steps.map((s) => s.oursOverhead)),
      (v) => v <= TARGETS.noiseOverhead + EPS,
      false,
    ),
  };
}

/** Compares all records of both runs (in any order, files concatenated). */
export function compareRecords(records: readonly BenchRecord[]): Comparison {
  const adapters: Comparison["adapters"] = {};
  const methods: Comparison["methods"] = {};
  const gemms = new Map<string, GemmComparison>();
  const steps = new Map<string, StepComparison>();
  const chosenVariant = new Map<string, string>();
  const noise: NoiseRecord[] = [];
  let reference = "cublas";
  for (const r of records) {
    if (r.kind === "adapter") {
      adapters[r.impl] = r.adapter;
      methods[r.impl] = r.method;
    } else if (r.kind === "gemm") {
      const row = rowOf(gemms, gemmKey(r), () => newGemmRow(r));
      if (r.impl === "torch") {
        row.cublas = r.tflops;
        reference = r.variant;
      } else {
        row.ours[r.variant] = r.tflops;
        if (r.chosen) chosenVariant.set(gemmKey(r), r.variant);
      }
    } else if (r.kind === "step") {
      const row = rowOf(steps, stepKey(r), () => newStepRow(r));
      (r.impl === "torch" ? row.torchMs : row.oursMs)[r.noiseType] = r.ms;
    } else if (r.kind === "noise") noise.push(r);
  }
  rateGemms(gemms, chosenVariant);
  rateSteps(steps.values(), noise);
  const gemmList = [...gemms.values()];
  const stepList = [...steps.values()].sort((a, b) => a.n - b.n || a.batch - b.batch);
  return {
    adapters,
    reference,
    methods,
    gemms: gemmList,
    steps: stepList,
    verdicts: verdictsOf(gemmList, stepList),
  };
}

const fmt = (v: number | undefined, digits = 3) => (v === undefined ? "—" : v.toPrecision(digits));
const pct = (v: number | undefined) => (v === undefined ? "—" : `${(100 * v).toFixed(0)}%`);
const times = (v: number | undefined) => (v === undefined ? "—" : `${v.toFixed(2)}×`);

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

function verdictLine(name: string, v: Verdict, show: (x: number) => string): string {
  if (v.checked === 0) return `- ${name}: nothing to compare`;
  const status = v.passed === v.checked ? "PASS" : "FAIL";
  return `- ${name}: ${status} ${v.passed}/${v.checked} (worst ${show(v.worst!)})`;
}

/** The comparison as Markdown: GEMM table, step table, noise-overhead table, verdicts. */
export function formatComparison(c: Comparison): string {
  const variants = [...new Set(c.gemms.flatMap((g) => Object.keys(g.ours)))];
  const gemmRows = c.gemms.map((g) => [
    g.role + (g.width !== null ? ` (n=${g.width})` : ""),
    g.mode,
    `${g.m}×${g.n}×${g.k}`,
    fmt(g.cublas),
    ...variants.map((v) => fmt(g.ours[v])),
    g.best ? `${g.best.variant} ${fmt(g.best.tflops)} (${pct(g.bestFraction)})` : "—",
    g.chosen ? `${g.chosen.variant} ${fmt(g.chosen.tflops)} (${pct(g.chosenFraction)})` : "—",
  ]);
  const names = ["0", "I", "II", "III"];
  const stepRows = c.steps.map((s) => [
    `${s.n}`,
    `${s.batch}`,
    `${s.d}`,
    ...s.torchMs.map((v) => fmt(v)),
    ...s.oursMs.map((v) => fmt(v)),
    ...s.vsTorchNoiseless.map(times),
  ]);
  const overheadRows = c.steps.map((s) => [
    `${s.n}`,
    ...s.oursOverhead.slice(1).map(pct),
    ...s.oursNoiseAlone.slice(1).map(pct),
    ...s.torchOverhead.slice(1).map(pct),
    ...s.torchNoiseAlone.slice(1).map(pct),
  ]);
  const ref = c.reference === "cublas" ? "cuBLAS" : c.reference;
  const v = c.verdicts;
  return [
    `ours: ${c.adapters.ours ?? "—"} (${c.methods.ours ?? "—"}); ` +
    `torch: ${c.adapters.torch ?? "—"} (${c.methods.torch ?? "—"})`,
    "",
    `GEMM, TFLOP/s (best and chosen variant as % of ${ref} FP32)`,
    "",
    table(["shape", "mode", "m×n×k", ref, ...variants, "best", "chosen"], gemmRows),
    "",
    "HT-SGD step, ms (ours/torch0 = our step with noise type k over PyTorch's noiseless step)",
    "",
    table([
      "n",
      "B",
      "d",
      ...names.map((t) => `torch ${t}`),
      ...names.map((t) => `ours ${t}`),
      ...names.map((t) => `ours ${t}/torch 0`),
    ], stepRows),
    "",
    "Noise overhead: step(type k)/step(type 0) − 1, and (alone) the injection timed by itself" +
    " / step(type 0)",
    "",
    table(
      [
        "n",
        ...["ours", "ours alone", "torch", "torch alone"].flatMap((w) =>
          ["I", "II", "III"].map((t) => `${w} ${t}`)
        ),
      ],
      overheadRows,
    ),
    "",
    "Targets (issue #8)",
    verdictLine(
      `GEMM ≥ ${pct(TARGETS.gemmFraction)} of ${ref} at training shapes, chosen variant`,
      v.gemmChosen,
      pct,
    ),
    verdictLine(
      `GEMM ≥ ${pct(TARGETS.gemmFraction)} of ${ref} at training shapes, best variant`,
      v.gemmBest,
      pct,
    ),
    verdictLine(
      `HT-SGD step with noise ≤ ${TARGETS.stepRatio}× PyTorch's noiseless step`,
      v.stepRatio,
      times,
    ),
    verdictLine(`noise overhead ≤ ${pct(TARGETS.noiseOverhead)}`, v.noiseOverhead, pct),
  ].join("\n");
}
