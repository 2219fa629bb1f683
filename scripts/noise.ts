/**
 * Writes stable samples computed on the GPU as raw little-endian float32, and prints a one-line
 * summary. Examples:
 *   deno task noise -- --kind sas --alpha 1.75 --n 1000000 --seed 1 --out samples.f32
 *   deno task noise -- --type II --alpha 1.75 --n 1000000 --seed 1 --out samples.f32
 *   deno task noise -- --type III --alpha 1.5 --rows 2048 --cols 64 --sigma 0.1 --lr 0.01 \
 *     --out w.f32
 * Bad flags or values exit with code 2 before anything is written.
 */
import {
  choiceFlag,
  numberFlag,
  parseTaskFlags,
  runMain,
  stringFlags,
  UsageError,
} from "../lib/cli/args.ts";
import { Gpu } from "../lib/gpu/runtime.ts";
import { removeOnInterrupt, setInterruptMessage } from "../lib/interrupt.ts";
import { type NoiseSpec, validateNoiseSpec } from "../lib/noise/spec.ts";
import {
  MAX_SAMPLES,
  STABLE_KINDS,
  type StableKind,
  streamNoise,
  streamStable,
  summariseSamples,
  validateStableAlpha,
} from "../lib/noise/sample.ts";

const USAGE =
  `usage: npx deno task noise -- (--kind sas|positive | --type I|II|III) --alpha A --out FILE
  --kind sas|positive    SαS(α, 1), or the positive (α/2)-stable, Laplace transform exp(−u^{α/2})
  --type I|II|III        the noise added to a zero rows×cols matrix (also 1|2|3)
  --alpha A              tail index in (0, 2] (positive and Type III: < 2)
  --n N                  number of samples (with --type: rows·cols; --cols defaults to 1)
  --rows R --cols C      matrix shape for --type
  --sigma S --lr LR      noise scale σ·lr^(1/α) for --type (defaults 1, 1)
  --alpha2-convention cms|authors   Type I law at α = 2: N(0,2) (cms, default) or N(0,1)
  --seed N --stream N --layer L --step T   RNG keys (defaults 0)
  --out FILE             output file (written atomically, streamed in chunks of 2^24 samples;
                         up to 2^32 − 1 samples, 16 GiB)`;

const OPTIONS = {
  ...stringFlags(
    "kind",
    "type",
    "alpha",
    "n",
    "rows",
    "cols",
    "sigma",
    "lr",
    "alpha2-convention",
    "seed",
    "stream",
    "layer",
    "step",
    "out",
  ),
} as const;

const TYPE_NAMES: Record<string, 1 | 2 | 3> = { "1": 1, "2": 2, "3": 3, I: 1, II: 2, III: 3 };
/** Largest sample count: the counter's index word is 32 bits (16 GiB of output). */
const MAX_N = MAX_SAMPLES;

type Job =
  | {
    mode: "kind";
    kind: StableKind;
    alpha: number;
    n: number;
    seed: number;
    stream: number;
    step: number;
  }
  | {
    mode: "type";
    spec: NoiseSpec;
    rows: number;
    cols: number;
    lr: number;
    seed: number;
    layer: number;
    step: number;
  };

const u32Flag = (name: string, raw: string | undefined) =>
  numberFlag(name, raw, { integer: true, min: 0, max: 0xffffffff }) ?? 0;

/** Turns argv into a validated job; every problem is a UsageError naming the flag. */
export function parseJob(args: string[]): { job: Job; out: string } {
  const v = parseTaskFlags(args, OPTIONS, USAGE);
  if (v.out === undefined || v.out === "") throw new UsageError(`--out is required\n${USAGE}`);
  const alpha = numberFlag("alpha", v.alpha);
  if (alpha === undefined) throw new UsageError("--alpha is required");
  if (!(alpha > 0 && alpha <= 2)) throw new UsageError(`--alpha: ${alpha} must be in (0, 2]`);
  const n = numberFlag("n", v.n, { integer: true, min: 1, max: MAX_N });
  const seed = u32Flag("seed", v.seed);
  const step = u32Flag("step", v.step);
  if (v.kind !== undefined && v.type !== undefined) {
    throw new UsageError("--kind and --type exclude each other");
  }
  if (v.type === undefined) {
    for (const f of ["rows", "cols", "sigma", "lr", "layer", "alpha2-convention"] as const) {
      if (v[f] !== undefined) throw new UsageError(`--${f} only applies with --type`);
    }
    const kind = choiceFlag("kind", v.kind, STABLE_KINDS) ?? "sas";
    if (n === undefined) throw new UsageError("--n is required with --kind");
    try {
      validateStableAlpha(kind, alpha);
    } catch (err) {
      throw new UsageError(`--${(err as Error).message}`);
    }
    return {
      job: { mode: "kind", kind, alpha, n, seed, stream: u32Flag("stream", v.stream), step },
      out: v.out,
    };
  }
  if (v.stream !== undefined) {
    throw new UsageError("--stream only applies with --kind (types use --layer)");
  }
  const type = Object.hasOwn(TYPE_NAMES, v.type) ? TYPE_NAMES[v.type] : undefined;
  if (type === undefined) {
    throw new UsageError(`--type: "${v.type}" is not one of I, II, III (or 1, 2, 3)`);
  }
  const cols = numberFlag("cols", v.cols, { integer: true, min: 1 }) ?? 1;
  let rows = numberFlag("rows", v.rows, { integer: true, min: 1 });
  if (rows === undefined) {
    if (n === undefined) throw new UsageError("--type needs --n or --rows");
    if (n % cols !== 0) throw new UsageError(`--n: ${n} is not a multiple of --cols ${cols}`);
    rows = n / cols;
  } else if (n !== undefined && n !== rows * cols) {
    throw new UsageError(`--n: ${n} is not --rows·--cols = ${rows * cols}`);
  }
  if (rows * cols > MAX_N) throw new UsageError(`--rows·--cols: ${rows * cols} exceeds ${MAX_N}`);
  const sigma = numberFlag("sigma", v.sigma, { min: 0 }) ?? 1;
  const lr = numberFlag("lr", v.lr, { min: 0, exclusiveMin: true }) ?? 1;
  const alpha2Convention = choiceFlag(
    "alpha2-convention",
    v["alpha2-convention"],
    ["cms", "authors"] as const,
  );
  let spec: NoiseSpec;
  try {
    spec = validateNoiseSpec({
      type,
      alpha,
      sigma,
      ...(alpha2Convention ? { alpha2Convention } : {}),
    });
  } catch (err) {
    throw new UsageError(`--${(err as Error).message.replace(/^noise\./, "")}`);
  }
  const layer = numberFlag("layer", v.layer, { integer: true, min: 0, max: 1023 }) ?? 0;
  return { job: { mode: "type", spec, rows, cols, lr, seed, layer, step }, out: v.out };
}

/** Little-endian f32 bytes of `x` (a view on little-endian hosts, a copy otherwise). */
function littleEndianBytes(x: Float32Array): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) {
    return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  }
  const bytes = new Uint8Array(x.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < x.length; i++) view.setFloat32(4 * i, x[i], true);
  return bytes;
}

/**
 * Streams the chunks that `produce` hands over into `path` through a temporary file renamed at the
 * end, so a failed or interrupted run leaves no partial output under the final name.
 */
async function writeStreamAtomically(
  path: string,
  produce: (write: (x: Float32Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const tmp = `${path}.${Deno.pid}.tmp`;
  const file = await Deno.open(tmp, { write: true, createNew: true });
  // Ctrl-C exits without running the catch below: the handler removes the temp file instead.
  const release = removeOnInterrupt(tmp);
  try {
    await produce(async (x) => {
      const bytes = littleEndianBytes(x);
      for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
    });
    file.close();
    await Deno.rename(tmp, path);
  } catch (err) {
    try {
      file.close();
    } catch { /* already closed */ }
    await Deno.remove(tmp).catch(() => {});
    throw err;
  } finally {
    release();
  }
}

/** Summary of a stream: exact quantiles of the first chunk, extremes and counts of all samples. */
class StreamSummary {
  first: Float32Array | undefined;
  n = 0;
  finite = 0;
  maxAbs = 0;
  add(x: Float32Array): void {
    if (!this.first) this.first = Float32Array.from(x);
    this.n += x.length;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (Number.isFinite(v)) {
        this.finite++;
        if (Math.abs(v) > this.maxAbs) this.maxAbs = Math.abs(v);
      }
    }
  }
}
const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(5) : String(v));

async function main(): Promise<void> {
  const { job, out } = parseJob(Deno.args);
  setInterruptMessage(`interrupted: ${out} was not written (its partial temp file was removed)`);
  const gpu = await Gpu.shared();
  const summary = new StreamSummary();
  let gpuSeconds = 0;
  await writeStreamAtomically(out, async (write) => {
    let t0 = performance.now();
    const onChunk = async (x: Float32Array) => {
      gpuSeconds += (performance.now() - t0) / 1000;
      summary.add(x);
      await write(x);
      t0 = performance.now();
    };
    if (job.mode === "kind") {
      const { kind, alpha, seed, stream, step } = job;
      await streamStable(gpu, job.n, { kind, alpha, seed, stream, step }, onChunk);
    } else {
      await streamNoise(gpu, job, onChunk);
    }
  });
  const s = summariseSamples(summary.first ?? new Float32Array());
  const what = job.mode === "kind"
    ? `kind=${job.kind} alpha=${job.alpha}`
    : `type=${["", "I", "II", "III"][job.spec.type]} alpha=${job.spec.alpha} rows=${job.rows} ` +
      `cols=${job.cols} sigma=${job.spec.sigma} lr=${job.lr}`;
  const q = Object.entries(s.quantiles).map(([p, v]) => `q${p}=${fmt(v)}`).join(" ");
  const of = summary.n > s.n ? ` (quantiles of the first ${s.n})` : "";
  const rate = summary.n / Math.max(gpuSeconds, 1e-9) / 1e6;
  console.log(
    `adapter="${gpu.describe()}" ${what} n=${summary.n} median=${fmt(s.median)} ${q}${of} ` +
      `max|x|=${fmt(summary.maxAbs)} finite=${summary.finite} ` +
      `rate=${rate.toFixed(1)}M/s out=${out}`,
  );
}

if (import.meta.main) await runMain(main);
