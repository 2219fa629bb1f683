/**
 * The measurements of issue #8 on one Gpu, yielded as records (lib/bench/records.ts) as they
 * finish: every GEMM variant at every shape of the plan, then per hidden width the full HT-SGD
 * step for noise types 0–III (recorded exactly as lib/train/trainer.ts records a step: gather,
 * forward, loss, backward, SGD, noise on the hidden layer), one noiseOverhead line, and the
 * noise injection alone.
 */
import type { Batch, Gpu, Tensor } from "../gpu/runtime.ts";
import { chooseGemmVariant, gemm, type GemmVariant } from "../ops/gemm.ts";
import { fill } from "../ops/nn.ts";
import type { FcnSpec } from "../model/fcn.ts";
import { injectNoise, type NoiseSpec, type NoiseType } from "../noise/inject.ts";
import { DeviceSplit, epochPermutation } from "../model/device_split.ts";
import { FcnOnGpu } from "../model/fcn_gpu.ts";
import { VggOnGpu } from "../model/vgg_gpu.ts";
import { initVggWeights, vgg11Plan, type VggSpec } from "../model/vgg.ts";
import { noiseTargets } from "../model/model.ts";
import { measure, type Measurement, type MeasureMethod } from "./measure.ts";
import { type BenchPlan, gemmFlops, gemmShapes } from "./plan.ts";
import {
  type AdapterRecord,
  type BenchRecord,
  type CnnStepRecord,
  type Common,
  type GemmRecord,
  type NoiseOverheadRecord,
  type NoiseRecord,
  round5,
  type StepRecord,
} from "./records.ts";

export interface BenchOptions {
  plan: BenchPlan;
  method: MeasureMethod;
  variants: GemmVariant[];
  /** Which part to run (default all). */
  only?: "gemm" | "step" | "cnn";
  /** Tail index of the noise (Type III needs < 2). */
  alpha: number;
  /** Noise scale σ and learning rate of the timed steps. */
  sigma: number;
  lr: number;
  seed: number;
  /** Progress lines (stderr in the script). */
  log?: (line: string) => void;
}

export const NOISE_TYPES: readonly NoiseType[] = [0, 1, 2, 3];

function common(gpu: Gpu, method: MeasureMethod): Common {
  return { impl: "ours", adapter: gpu.describe(), backend: gpu.summary.backend, method };
}

export function adapterRecord(gpu: Gpu, opts: BenchOptions): AdapterRecord {
  const { plan } = opts;
  return {
    kind: "adapter",
    ...common(gpu, opts.method),
    isSoftware: gpu.summary.isSoftware,
    features: gpu.summary.features,
    scale: plan.scale,
    runtime: `deno ${Deno.version.deno}`,
    shapes: {
      batch: plan.batch,
      inputDim: plan.inputDim,
      classes: plan.classes,
      widths: plan.widths,
      squares: plan.squares,
    },
  };
}

/** Deterministic U(lo, hi) floats (mulberry32): cheap host data for large operands. */
export function uniformFloats(count: number, seed: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  const span = (hi - lo) / 2 ** 32;
  for (let i = 0; i < count; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + span * ((t ^ (t >>> 14)) >>> 0);
  }
  return out;
}

const timing = (opts: BenchOptions, inner: number) => ({
  method: opts.method,
  warmup: opts.plan.warmup,
  repeats: opts.plan.repeats,
  inner,
});

export async function* benchGemms(gpu: Gpu, opts: BenchOptions): AsyncGenerator<GemmRecord> {
  const log = opts.log ?? (() => {});
  for (const shape of gemmShapes(opts.plan)) {
    const { mode, m, n, k } = shape;
    const a = gpu.tensor([m * k], "f32", "bench A");
    const b = gpu.tensor([k * n], "f32", "bench B");
    const c = gpu.tensor([m * n], "f32", "bench C");
    try {
      const init = gpu.batch();
      fill(gpu, init, a, 0.01, m * k);
      fill(gpu, init, b, 0.02, k * n);
      init.submit();
      const chosen = chooseGemmVariant(gpu, m, n, k);
      for (const variant of opts.variants) {
        const t: Measurement = await measure(
          gpu,
          (batch: Batch) => gemm(gpu, batch, mode, a, b, c, m, n, k, { variant }),
          timing(opts, opts.plan.gemmInner),
        );
        const tflops = gemmFlops(shape) / (t.ms * 1e-3) / 1e12;
        log(
          `gemm ${shape.role} ${mode} ${m}×${n}×${k} ${variant}: ${t.ms.toFixed(3)} ms, ` +
            `${tflops.toPrecision(3)} TFLOP/s`,
        );
        yield {
          kind: "gemm",
          ...common(gpu, t.method),
          variant,
          mode,
          role: shape.role,
          width: shape.width ?? null,
          m,
          n,
          k,
          ms: round5(t.ms),
          wallMs: round5(t.wallMs),
          tflops: round5(tflops),
          chosen: variant === chosen,
        };
      }
    } finally {
      await gpu.sync();
      for (const t of [a, b, c]) t.destroy();
    }
  }
}

function noiseSpec(type: NoiseType, alpha: number, sigma: number): NoiseSpec {
  return type === 0 ? { type: 0, alpha: 2, sigma: 0 } : { type, alpha, sigma };
}

/** A one-hidden-layer FCN (bias-free, ReLU) with U(±1/√fan_in) weights, as initWeights' law. */
function benchNet(gpu: Gpu, plan: BenchPlan, width: number, seed: number): FcnOnGpu {
  const spec: FcnSpec = {
    inputDim: plan.inputDim,
    width,
    depth: 2,
    numClasses: plan.classes,
  };
  const b1 = 1 / Math.sqrt(plan.inputDim);
  const b2 = 1 / Math.sqrt(width);
  const w1 = uniformFloats(width * plan.inputDim, seed, -b1, b1);
  const w2 = uniformFloats(plan.classes * width, seed + 1, -b2, b2);
  return new FcnOnGpu(gpu, spec, [w1, w2], plan.batch);
}

export async function* benchSteps(
  gpu: Gpu,
  opts: BenchOptions,
): AsyncGenerator<StepRecord | NoiseRecord | NoiseOverheadRecord> {
  const { plan, seed } = opts;
  const d = plan.inputDim;
  const x = uniformFloats(plan.dataRows * d, seed + 7, 0, 1);
  const y = new Uint8Array(plan.dataRows).map((_, i) => i % plan.classes);
  const data: StepData = {
    split: new DeviceSplit(gpu, { x, y, n: plan.dataRows }, d, plan.batch),
    perm: epochPermutation(plan.dataRows, seed, 0),
    stats: gpu.tensor([2], "f32", "bench step stats"),
  };
  try {
    for (const width of plan.widths) yield* benchStepsAt(gpu, opts, data, width);
  } finally {
    data.split.destroy();
    data.stats.destroy();
  }
}

/** The synthetic minibatches every width trains on, and the loss accumulator. */
interface StepData {
  split: DeviceSplit;
  perm: Uint32Array;
  stats: Tensor;
}

/** The injection of each noise type timed by itself, at one width. */
async function* benchNoiseAlone(
  gpu: Gpu,
  opts: BenchOptions,
  width: number,
  injectHidden: (batch: Batch, spec: NoiseSpec, step: number) => void,
): AsyncGenerator<NoiseRecord> {
  const log = opts.log ?? (() => {});
  const { plan } = opts;
  const d = plan.inputDim;
  for (const type of [1, 2, 3] as const) {
    const spec = noiseSpec(type, opts.alpha, opts.sigma);
    const t = await measure(
      gpu,
      (batch, run) => injectHidden(batch, spec, run),
      timing(opts, plan.stepInner),
    );
    log(`noise n=${width} d=${d} type ${type}: ${t.ms.toFixed(3)} ms`);
    yield {
      kind: "noise",
      ...common(gpu, t.method),
      noiseType: type,
      n: width,
      d,
      alpha: spec.alpha,
      ms: round5(t.ms),
      wallMs: round5(t.wallMs),
    };
  }
}

/** The step with each noise type, the overheads, and the injection alone, at one width. */
async function* benchStepsAt(
  gpu: Gpu,
  opts: BenchOptions,
  { split, perm, stats }: StepData,
  width: number,
): AsyncGenerator<StepRecord | NoiseRecord | NoiseOverheadRecord> {
  const log = opts.log ?? (() => {});
  const { plan, lr, seed } = opts;
  const B = plan.batch;
  const d = plan.inputDim;
  const perEpoch = Math.floor(plan.dataRows / B);
  const net = benchNet(gpu, plan, width, seed);
  const hidden = net.shapes[0];
  // The hidden layer's noise at one step, as in training.
  const injectHidden = (batch: Batch, spec: NoiseSpec, step: number) =>
    injectNoise(gpu, batch, net.weights[0], hidden.out, hidden.in, {
      spec,
      lr,
      seed,
      layer: 0,
      step,
    });
  try {
    const stepMs = new Map<NoiseType, number>();
    let method: MeasureMethod = opts.method;
    for (const type of NOISE_TYPES) {
      const spec = noiseSpec(type, opts.alpha, opts.sigma);
      const t = await measure(gpu, (batch, run) => {
        const j = run % perEpoch;
        split.gather(batch, perm.subarray(j * B, (j + 1) * B), net.x, net.y);
        net.forwardLoss(batch, B, true, stats, 0);
        net.backward(batch, B);
        net.sgd(batch, lr);
        injectHidden(batch, spec, run);
      }, timing(opts, plan.stepInner));
      method = t.method;
      stepMs.set(type, t.ms);
      log(`step n=${width} B=${B} d=${d} noise ${type}: ${t.ms.toFixed(3)} ms`);
      yield {
        kind: "step",
        ...common(gpu, t.method),
        noiseType: type,
        n: width,
        batch: B,
        d,
        classes: plan.classes,
        alpha: spec.alpha,
        ms: round5(t.ms),
        wallMs: round5(t.wallMs),
      };
    }
    const base = stepMs.get(0)!;
    const over = (k: NoiseType) => round5(stepMs.get(k)! / base - 1);
    yield {
      kind: "noiseOverhead",
      ...common(gpu, method),
      n: width,
      batch: B,
      d,
      type1: over(1),
      type2: over(2),
      type3: over(3),
    };
    yield* benchNoiseAlone(gpu, opts, width, injectHidden);
  } finally {
    await gpu.sync();
    net.destroy();
  }
}

/**
 * The VGG11 training step (3×32×32 inputs, 10 classes, plan.cnn width and batch) as the trainer
 * records it, without the gather: forward, loss, backward, SGD, then for Type I the per-filter
 * noise on convs 2–8 (the paper's CNN setting).
 */
export async function* benchCnnSteps(gpu: Gpu, opts: BenchOptions): AsyncGenerator<CnnStepRecord> {
  const log = opts.log ?? (() => {});
  const { plan, lr, seed } = opts;
  const { width, batch: B } = plan.cnn;
  const spec: VggSpec = {
    kind: "vgg",
    inputShape: [3, 32, 32],
    plan: vgg11Plan(width),
    numClasses: 10,
  };
  const net = new VggOnGpu(gpu, spec, initVggWeights(spec, seed), B);
  const sink = gpu.tensor([2], "f32", "cnn step stats");
  try {
    net.x.write(uniformFloats(B * 3 * 32 * 32, seed + 7, -1, 1));
    net.y.write(new Uint32Array(B).map((_, i) => i % 10));
    for (const type of [0, 1] as const) {
      const noise = noiseSpec(type, opts.alpha, opts.sigma);
      const targets = noiseTargets(spec, type);
      const t = await measure(gpu, (batch, run) => {
        net.forwardLoss(batch, B, true, sink, 0);
        net.backward(batch, B);
        net.sgd(batch, lr);
        net.addNoise(batch, targets, { spec: noise, lr, seed, step: run });
      }, timing(opts, plan.stepInner));
      log(`cnn step vgg11 width ${width} B=${B} noise ${type}: ${t.ms.toFixed(3)} ms`);
      yield {
        kind: "cnnStep",
        ...common(gpu, t.method),
        noiseType: type,
        width,
        batch: B,
        alpha: noise.alpha,
        ms: round5(t.ms),
        wallMs: round5(t.wallMs),
      };
    }
  } finally {
    await gpu.sync();
    sink.destroy();
    net.destroy();
  }
}

/** All records of a run, adapter line first. */
export async function* runBench(gpu: Gpu, opts: BenchOptions): AsyncGenerator<BenchRecord> {
  yield adapterRecord(gpu, opts);
  if (opts.only === undefined || opts.only === "gemm") yield* benchGemms(gpu, opts);
  if (opts.only === undefined || opts.only === "step") yield* benchSteps(gpu, opts);
  if (opts.only === undefined || opts.only === "cnn") yield* benchCnnSteps(gpu, opts);
}
