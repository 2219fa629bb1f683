/**
 * Speed benchmark of issue #8: every GEMM variant at the MNIST training shapes and at square
 * sizes, and the full HT-SGD step for noise types 0–III. Prints one JSON object per line on
 * stdout (adapter line first; format in lib/bench/records.ts), progress on stderr. Shapes shrink
 * on software adapters unless --full. Examples:
 *   deno task bench                                  # real shapes on a GPU, sized down on llvmpipe
 *   deno task bench -- --quick                       # tiny shapes, one repeat (tests)
 *   deno task bench -- compare ours.jsonl torch.jsonl   # tables vs bench/torch_step.py
 * Bad flags exit with code 2 before anything is measured. See bench/README.md.
 */
import { choiceFlag, numberFlag, parseFlags, runMain, UsageError } from "../lib/cli/args.ts";
import { Gpu } from "../lib/gpu/runtime.ts";
import { hasTimestamps } from "../lib/gpu/timing.ts";
import { type GemmVariant, gemmVariants } from "../lib/ops/gemm.ts";
import { compareRecords, formatComparison } from "../lib/bench/compare.ts";
import { defaultMethod, type MeasureMethod } from "../lib/bench/measure.ts";
import { benchPlan, type BenchScale } from "../lib/bench/plan.ts";
import { type BenchRecord, parseRecords } from "../lib/bench/records.ts";
import { runBench } from "../lib/bench/run.ts";
import { READ_LIMITS, readTextFileBounded } from "../lib/store/bounded_read.ts";
import { setInterruptMessage } from "../lib/interrupt.ts";
import { compareCpu, CPU_SHAPES, formatCpuComparison } from "../lib/bench/cpu_compare.ts";
import { AUTHORS_SHAPE, formatTrainProfile, profileTraining } from "../lib/bench/train_step.ts";
import { compareGemmsCpu, formatGemmCpuComparison } from "../lib/bench/gemm_cpu.ts";

const USAGE = `usage: npx deno task bench -- [options]
       npx deno task bench -- compare FILE... [--json]
       npx deno task bench -- gemm-cpu [--quick] [--repeats N]
       npx deno task bench -- profile [--width N] [--quick] [--alpha A]
       npx deno task bench -- cpu [--quick] [--alpha A]
  --full              the real shapes (B=5000, d=784, n=2000/5000/10000, 4096³, 8192³) even on
                      a software adapter (default: real on GPUs, sized down on CPU adapters)
  --quick             tiny shapes and one repeat (tests)
  --only gemm|step|cnn  run one part only (cnn: the VGG11 step, vgg11_wide at batch 128 on GPUs)
  --variants LIST     GEMM variants, comma-separated (default: ${gemmVariants().join(",")})
  --method auto|timestamp|wall   timing: GPU timestamp queries or host wall clock
                      (default auto: timestamps where the adapter has "timestamp-query")
  --warmup N          untimed runs before timing (default from the scale)
  --repeats N         timed repeats, median reported (default from the scale)
  --alpha A           tail index of the noise, in (0, 2) (default 1.5)
  compare FILE...     read JSON-line outputs of this script and bench/torch_step.py and print
                      the comparison tables (--json: the comparison as one JSON object)
  profile             the trainer's step (SGD and Type II) and its evaluation pass over 8,000
                      images, d 784, batch 500, one hidden layer of --width (default 512), timed
                      per dispatch (timestamp queries, else one submit per dispatch): breakdown
                      by category (GEMMs, elementwise, softmax/CE, noise, gathers, copies) and
                      host submits / read-backs, as Markdown
  cpu                 the trainer's step (noise 0–III) and evaluation pass next to PyTorch on the
                      CPU (runs python3 bench/torch_step.py --cpu-compare) at d 784, batch 500,
                      widths 512, 1024, 2048: ms and ratios ours/PyTorch, as Markdown
  gemm-cpu            our GEMMs (chosen variant and the pre-#23 software choice) next to NumPy's
                      sgemm and PyTorch's CPU matmul (runs python3 bench/torch_step.py --cpu-gemm)
                      at 1024³ and d 784, batch 500, widths 512, 1024, 2048: GFLOP/s and ratios
                      as Markdown (--repeats: ours, default 5)`;

const OPTIONS = {
  full: { type: "boolean" },
  quick: { type: "boolean" },
  only: { type: "string" },
  variants: { type: "string" },
  method: { type: "string" },
  warmup: { type: "string" },
  repeats: { type: "string" },
  alpha: { type: "string" },
  json: { type: "boolean" },
  width: { type: "string" },
} as const;

const METHODS = ["auto", "timestamp", "wall"] as const;

function parseVariants(raw: string | undefined): GemmVariant[] {
  const all = gemmVariants();
  if (raw === undefined) return all;
  const list = raw.split(",").map((s) => s.trim()).filter((s) => s);
  if (!list.length) throw new UsageError(`--variants: empty list\n${USAGE}`);
  for (const v of list) {
    if (!(all as string[]).includes(v)) {
      throw new UsageError(`--variants: "${v}" is not one of ${all.join(", ")}`);
    }
  }
  return list as GemmVariant[];
}

async function compare(files: string[], json: boolean): Promise<void> {
  if (!files.length) throw new UsageError(`compare needs at least one file\n${USAGE}`);
  const records: BenchRecord[] = [];
  for (const file of files) {
    records.push(
      ...parseRecords(
        await readTextFileBounded(file, READ_LIMITS.text, "a bench record file"),
        file,
      ).records,
    );
  }
  const result = compareRecords(records);
  console.log(json ? JSON.stringify(result) : formatComparison(result));
}

async function main(): Promise<void> {
  // `deno task bench -- --quick` passes the "--" through.
  const { values, positionals } = parseFlags(Deno.args.filter((a) => a !== "--"), OPTIONS, USAGE);
  if (positionals[0] === "compare") return compare(positionals.slice(1), values.json ?? false);
  const alphaOf = () => {
    const a = numberFlag("alpha", values.alpha, { min: 0, exclusiveMin: true }) ?? 1.5;
    if (a >= 2) throw new UsageError(`--alpha: ${a} must be < 2 (Type III needs α < 2)`);
    return a;
  };
  if (positionals[0] === "profile" || positionals[0] === "cpu") {
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const alpha = alphaOf();
    const width = numberFlag("width", values.width, { integer: true, min: 1, max: 65536 });
    if (positionals[0] === "profile") return profileMain(width, values.quick ?? false, alpha);
    if (width !== undefined) throw new UsageError("--width goes with profile");
    return cpuMain(values.quick ?? false, alpha);
  }
  if (values.width !== undefined) throw new UsageError(`--width goes with profile\n${USAGE}`);
  if (positionals[0] === "gemm-cpu") {
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const repeats = numberFlag("repeats", values.repeats, { integer: true, min: 1, max: 100 });
    return gemmCpuMain(values.quick ?? false, repeats ?? 5);
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  if (values.json) throw new UsageError(`--json goes with compare\n${USAGE}`);
  if (values.full && values.quick) throw new UsageError("--full and --quick exclude each other");
  const only = choiceFlag("only", values.only, ["gemm", "step", "cnn"] as const);
  const variants = parseVariants(values.variants);
  const methodFlag = choiceFlag("method", values.method, METHODS) ?? "auto";
  const warmup = numberFlag("warmup", values.warmup, { integer: true, min: 0, max: 1000 });
  // A timestamp query set holds 4096 queries: 2 per run, up to 5 runs per repeat.
  const repeats = numberFlag("repeats", values.repeats, { integer: true, min: 1, max: 400 });
  const alpha = numberFlag("alpha", values.alpha, { min: 0, exclusiveMin: true }) ?? 1.5;
  if (alpha >= 2) throw new UsageError(`--alpha: ${alpha} must be < 2 (Type III needs α < 2)`);

  const gpu = await Gpu.shared();
  let method: MeasureMethod;
  if (methodFlag === "auto") method = defaultMethod(gpu);
  else if (methodFlag === "timestamp" && !hasTimestamps(gpu)) {
    throw new UsageError(`--method timestamp: ${gpu.describe()} has no "timestamp-query"`);
  } else method = methodFlag;
  const scale: BenchScale = values.quick
    ? "quick"
    : values.full || !gpu.summary.isSoftware
    ? "full"
    : "software";
  const plan = benchPlan(scale);
  if (warmup !== undefined) plan.warmup = warmup;
  if (repeats !== undefined) plan.repeats = repeats;
  console.error(`bench: ${gpu.describe()}, scale ${scale}, timing ${method}`);
  const started = performance.now();
  const records = runBench(gpu, {
    plan,
    method,
    variants,
    only,
    alpha,
    sigma: 0.01,
    lr: 0.01,
    seed: 1,
    log: (line) => console.error(line),
  });
  for await (const r of records) console.log(JSON.stringify(r));
  console.error(`bench: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function profileMain(width: number | undefined, quick: boolean, alpha: number) {
  const gpu = await Gpu.shared();
  const base = quick ? CPU_SHAPES.quick : AUTHORS_SHAPE;
  const shape = { ...base, width: width ?? (quick ? 32 : 512) };
  console.error(`bench profile: ${gpu.describe()}`);
  const noises = [
    ["SGD", { type: 0, alpha: 2, sigma: 0 }],
    ["Type II", { type: 2, alpha, sigma: 0.01 }],
  ] as const;
  for (const [label, noise] of noises) {
    const p = await profileTraining(gpu, shape, noise);
    console.log(formatTrainProfile(label, shape, p) + "\n");
  }
}

async function cpuMain(quick: boolean, alpha: number) {
  const gpu = await Gpu.shared();
  console.error(`bench cpu: ${gpu.describe()}`);
  const result = await compareCpu(gpu, quick ? "quick" : "authors", alpha, (l) => console.error(l));
  console.log(formatCpuComparison(result));
}

async function gemmCpuMain(quick: boolean, repeats: number) {
  const gpu = await Gpu.shared();
  console.error(`bench gemm-cpu: ${gpu.describe()}`);
  const log = (l: string) => console.error(l);
  const result = await compareGemmsCpu(gpu, quick ? "quick" : "authors", repeats, log);
  console.log(formatGemmCpuComparison(result));
}

if (import.meta.main) {
  setInterruptMessage(
    "interrupted: the records already printed are complete; the benchmark did not finish",
  );
  runMain(main);
}
