/**
 * The sweep behind the software-adapter GEMM choice (issue #23): times block / workgroup shapes
 * of the register-blocked variant "reg" (lib/ops/gemm_reg_codegen.ts) next to the tiled variants
 * at 1024³ and the MNIST training shapes (d 784, batch 500, widths 512/1024/2048), on whatever
 * adapter Deno's WebGPU picks, and prints one table row per shape and candidate: first-run time
 * minus steady time (≈ pipeline compile), median time, GFLOP/s, and the ratio to the best
 * candidate at that shape. Run it on llvmpipe and on lavapipe:
 *   deno run -A bench/gemm_sweep.ts                        # GL (llvmpipe)
 *   DENO_WEBGPU_BACKEND=vulkan deno run -A bench/gemm_sweep.ts   # Vulkan (lavapipe)
 * Options: --shapes square,train (default both), --widths 512,1024,2048, --repeats N (default 3),
 * --candidates r8x16w8x4,r16x8w8x4,… (default a fixed list), --baseline t32,t128x64 (default
 * t128x64; "none" for none). Timing is the host wall clock; nothing here is used at run time.
 * Caution (docs/webgpu.md §3): at tn shapes the first reg candidate has run 3–5× faster than the
 * later ones whatever its block shape; rerun with the candidates reordered before trusting a gap.
 */
import { parseFlags, runMain, UsageError } from "../lib/cli/args.ts";
import { Gpu } from "../lib/gpu/runtime.ts";
import { fill } from "../lib/ops/nn.ts";
import { gemm, type GemmMode, type GemmOptions, type GemmVariant } from "../lib/ops/gemm.ts";
import { checkRegShape, type RegShape, regShapeName } from "../lib/ops/gemm_reg_codegen.ts";
import { medianOf } from "../lib/bench/measure.ts";

const USAGE = `usage: deno run -A bench/gemm_sweep.ts [--shapes square,train] [--widths LIST]
       [--repeats N] [--candidates r8x16w8x4,...] [--baseline t128x64,t32|none]`;

/** Candidate shapes: RM×RN outputs per invocation, WX×WY invocations per workgroup. */
const DEFAULT_CANDIDATES = [
  "r8x16k1w16x4",
  "r4x16w8x4",
  "r8x8w8x4",
  "r8x16w8x4",
  "r8x16w4x8",
  "r8x16w16x4",
  "r16x8w8x4",
  "r16x8w4x8",
  "r8x32w8x4",
  "r16x16w8x4",
];

interface SweepShape {
  label: string;
  mode: GemmMode;
  m: number;
  n: number;
  k: number;
}

function parseShapeName(name: string): RegShape {
  const m = /^r(\d+)x(\d+)(k1)?w(\d+)x(\d+)$/.exec(name);
  if (!m) {
    throw new UsageError(`--candidates: "${name}" is not rRMxRN[k1]wWXxWY (e.g. r8x16w8x4)`);
  }
  const s: RegShape = { rm: +m[1], rn: +m[2], wx: +m[4], wy: +m[5], ku: m[3] ? 1 : 4 };
  try {
    checkRegShape(s);
  } catch (e) {
    throw new UsageError(`--candidates: ${(e as Error).message}`);
  }
  return s;
}

function sweepShapes(which: string[], widths: number[]): SweepShape[] {
  const out: SweepShape[] = [];
  if (which.includes("square")) {
    out.push({ label: "square", mode: "nn", m: 1024, n: 1024, k: 1024 });
  }
  if (which.includes("train")) {
    const [b, d, c] = [500, 784, 10];
    for (const w of widths) {
      out.push(
        { label: `hidden-forward w${w}`, mode: "nt", m: b, n: w, k: d },
        { label: `hidden-grad w${w}`, mode: "tn", m: w, n: d, k: b },
        { label: `output-forward w${w}`, mode: "nt", m: b, n: c, k: w },
        { label: `output-grad w${w}`, mode: "tn", m: c, n: w, k: b },
        { label: `hidden-delta w${w}`, mode: "nn", m: b, n: w, k: c },
      );
    }
  }
  return out;
}

function list(raw: string | undefined, flag: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(",").map((s) => s.trim()).filter((s) => s);
  if (!items.length) throw new UsageError(`--${flag}: empty list`);
  return items;
}

async function main(): Promise<void> {
  const { values, positionals } = parseFlags(
    Deno.args.filter((a) => a !== "--"),
    {
      shapes: { type: "string" },
      widths: { type: "string" },
      repeats: { type: "string" },
      candidates: { type: "string" },
      baseline: { type: "string" },
    } as const,
    USAGE,
  );
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const which = list(values.shapes, "shapes") ?? ["square", "train"];
  for (const w of which) {
    if (w !== "square" && w !== "train") {
      throw new UsageError(`--shapes: "${w}" is not square|train`);
    }
  }
  const widths = (list(values.widths, "widths") ?? ["512", "1024", "2048"]).map((w) => {
    const v = Number(w);
    if (!Number.isInteger(v) || v < 1 || v > 8192) throw new UsageError(`--widths: bad "${w}"`);
    return v;
  });
  const repeats = Number(values.repeats ?? 3);
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 50) {
    throw new UsageError(`--repeats: "${values.repeats}" is not an integer in [1, 50]`);
  }
  const candidates = (list(values.candidates, "candidates") ?? DEFAULT_CANDIDATES).map(
    parseShapeName,
  );
  const baseRaw = list(values.baseline, "baseline") ?? ["t128x64"];
  const baselines = baseRaw[0] === "none" ? [] : baseRaw as GemmVariant[];
  for (const v of baselines) {
    if (!["naive", "t32", "t128x64", "splitk"].includes(v)) {
      throw new UsageError(`--baseline: "${v}" is not naive|t32|t128x64|splitk|none`);
    }
  }

  const gpu = await Gpu.shared();
  console.log(`# GEMM sweep on ${gpu.describe()} (backend ${gpu.summary.backend})`);
  console.log(
    `# wall clock, ${repeats} repeats round-robin over the candidates; compile ≈ first run − ` +
      "median (set MESA_SHADER_CACHE_DISABLE=true, else Mesa's disk cache hides it)",
  );
  console.log(
    "| shape | mode | m×n×k | candidate | compile ms | median ms | best ms | GFLOP/s (median) | " +
      "GFLOP/s (best) | best vs fastest |",
  );
  console.log("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const s of sweepShapes(which, widths)) {
    const a = gpu.tensor([s.m * s.k], "f32", "sweep A");
    const b = gpu.tensor([s.k * s.n], "f32", "sweep B");
    const c = gpu.tensor([s.m * s.n], "f32", "sweep C");
    const init = gpu.batch();
    fill(gpu, init, a, 0.01, s.m * s.k);
    fill(gpu, init, b, 0.02, s.k * s.n);
    init.submit();
    await gpu.sync();
    const flops = 2 * s.m * s.n * s.k;
    // Small products run several times per repeat so that a repeat lasts ≳ 20 ms.
    const inner = Math.max(1, Math.min(20, Math.round(2e8 / flops)));
    const entries: [string, GemmOptions][] = [
      ...baselines.map((v): [string, GemmOptions] => [v, { variant: v }]),
      ...candidates.map((r): [string, GemmOptions] => [
        regShapeName(r),
        { variant: "reg", regShape: r },
      ]),
    ];
    const run = async (opts: GemmOptions, times: number) => {
      const t0 = performance.now();
      for (let i = 0; i < times; i++) {
        const batch = gpu.batch();
        gemm(gpu, batch, s.mode, a, b, c, s.m, s.n, s.k, opts);
        batch.submit();
      }
      await gpu.sync();
      return (performance.now() - t0) / times;
    };
    // First run of each (compiles its pipeline), then the repeats round-robin over the
    // candidates, so that a change in the machine's load hits all of them alike.
    const first: number[] = [];
    for (const [, opts] of entries) first.push(await run(opts, 1));
    const samples: number[][] = entries.map(() => []);
    for (let r = 0; r < repeats; r++) {
      for (const [i, [, opts]] of entries.entries()) samples[i].push(await run(opts, inner));
    }
    const rows = entries.map(([name], i) => {
      const med = medianOf(samples[i]);
      return { name, compile: Math.max(0, first[i] - med), ms: med, min: Math.min(...samples[i]) };
    });
    const best = Math.min(...rows.map((r) => r.min));
    for (const r of rows) {
      const gf = (ms: number) => (flops / (ms * 1e-3) / 1e9).toFixed(1);
      console.log(
        `| ${s.label} | ${s.mode} | ${s.m}×${s.n}×${s.k} | ${r.name} | ${r.compile.toFixed(0)} | ` +
          `${r.ms.toFixed(2)} | ${r.min.toFixed(2)} | ${gf(r.ms)} | ${gf(r.min)} | ` +
          `${(best / r.min).toFixed(2)} |`,
      );
    }
    for (const t of [a, b, c]) t.destroy();
  }
}

if (import.meta.main) runMain(main);
