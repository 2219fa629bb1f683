/**
 * The JSON-line records of the benchmark, shared by scripts/bench.ts (impl "ours") and
 * bench/torch_step.py (impl "torch"): one object per line, `kind` first.
 *
 *   adapter        first line of a run: which device, scale, timing method
 *   gemm           one product: variant, mode, m, n, k, ms, tflops
 *   step           one full training step (gather, forward, loss, backward, SGD, noise)
 *   noise          the noise injection alone, on the hidden layer's n×d weight
 *   noiseOverhead  per width: step(type k) / step(type 0) − 1 for k = 1, 2, 3
 *
 * `ms` is the median over repeats, by `method`: "timestamp" (GPU timestamp queries), "wall"
 * (host clock around submits and onSubmittedWorkDone), "cuda-events" (torch) or "cpu-clock"
 * (torch on the CPU, smoke tests only). `wallMs` is always the host-clock median.
 */

export type Impl = "ours" | "torch";
export type TimingMethod = "timestamp" | "wall" | "cuda-events" | "cpu-clock";

export interface Common {
  impl: Impl;
  adapter: string;
  backend: string;
  method: TimingMethod;
}

export interface AdapterRecord extends Common {
  kind: "adapter";
  isSoftware: boolean;
  features: string[];
  scale: string;
  runtime: string;
  shapes: { batch: number; inputDim: number; classes: number; widths: number[]; squares: number[] };
}

export interface GemmRecord extends Common {
  kind: "gemm";
  variant: string;
  mode: string;
  role: string;
  width: number | null;
  m: number;
  n: number;
  k: number;
  ms: number;
  wallMs: number;
  tflops: number;
  /** Whether this is the variant `gemm` picks by itself for this shape (always true for torch). */
  chosen: boolean;
}

export interface StepRecord extends Common {
  kind: "step";
  noiseType: 0 | 1 | 2 | 3;
  n: number;
  batch: number;
  d: number;
  classes: number;
  alpha: number;
  ms: number;
  wallMs: number;
}

export interface NoiseRecord extends Common {
  kind: "noise";
  noiseType: 1 | 2 | 3;
  n: number;
  d: number;
  alpha: number;
  ms: number;
  wallMs: number;
}

export interface NoiseOverheadRecord extends Common {
  kind: "noiseOverhead";
  n: number;
  batch: number;
  d: number;
  type1: number;
  type2: number;
  type3: number;
}

/** One training step of the VGG11 CNN (issue #7): forward, loss, backward, SGD, filter noise. */
export interface CnnStepRecord extends Common {
  kind: "cnnStep";
  noiseType: 0 | 1 | 2 | 3;
  /** First-conv channels (128 = vgg11_wide); input 3×32×32, 10 classes. */
  width: number;
  batch: number;
  alpha: number;
  ms: number;
  wallMs: number;
}

export type BenchRecord =
  | AdapterRecord
  | CnnStepRecord
  | GemmRecord
  | StepRecord
  | NoiseRecord
  | NoiseOverheadRecord;

/** Rounds a measurement for printing (5 significant digits). */
export function round5(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(5)) : v;
}

/** Required fields per kind, with the type each must have. */
const REQUIRED: Record<BenchRecord["kind"], Record<string, "string" | "number" | "boolean">> = {
  adapter: { impl: "string", adapter: "string", backend: "string", method: "string" },
  gemm: {
    impl: "string",
    adapter: "string",
    backend: "string",
    method: "string",
    variant: "string",
    mode: "string",
    m: "number",
    n: "number",
    k: "number",
    ms: "number",
    tflops: "number",
  },
  step: {
    impl: "string",
    adapter: "string",
    backend: "string",
    method: "string",
    noiseType: "number",
    n: "number",
    batch: "number",
    ms: "number",
  },
  noise: {
    impl: "string",
    adapter: "string",
    backend: "string",
    method: "string",
    noiseType: "number",
    n: "number",
    d: "number",
    ms: "number",
  },
  cnnStep: {
    impl: "string",
    adapter: "string",
    backend: "string",
    method: "string",
    noiseType: "number",
    width: "number",
    batch: "number",
    ms: "number",
  },
  noiseOverhead: {
    impl: "string",
    adapter: "string",
    backend: "string",
    method: "string",
    n: "number",
    type1: "number",
    type2: "number",
    type3: "number",
  },
};

/** Checks one parsed line; returns what is wrong with it (empty when it is a valid record). */
export function recordProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return ["not a JSON object"];
  }
  const r = value as Record<string, unknown>;
  const kind = r.kind;
  // Own keys only: a kind of "toString" or "constructor" is unknown, not an inherited member.
  if (typeof kind !== "string" || !Object.hasOwn(REQUIRED, kind)) {
    return [`unknown kind ${String(kind)}`];
  }
  const problems: string[] = [];
  for (const [field, type] of Object.entries(REQUIRED[kind as BenchRecord["kind"]])) {
    const actual: string = typeof r[field];
    if (actual !== type) problems.push(`${kind}.${field} is not a ${type}`);
  }
  if ("ms" in r && !(typeof r.ms === "number" && Number.isFinite(r.ms) && r.ms > 0)) {
    problems.push(`${kind}.ms = ${String(r.ms)} is not a positive finite number`);
  }
  if (r.impl !== "ours" && r.impl !== "torch") problems.push(`impl ${String(r.impl)}`);
  return problems;
}

/**
 * Parses JSON-line text: every line that starts with "{" must be a valid record (an error names
 * the line); other lines (log noise in a tee'd file) are skipped and counted.
 */
export function parseRecords(text: string, source = "input"): {
  records: BenchRecord[];
  skipped: number;
} {
  const records: BenchRecord[] = [];
  let skipped = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    if (!line.startsWith("{")) {
      skipped++;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`${source}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    const problems = recordProblems(value);
    if (problems.length) throw new Error(`${source}:${i + 1}: ${problems.join("; ")}`);
    records.push(value as BenchRecord);
  });
  return { records, skipped };
}
