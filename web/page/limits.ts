/**
 * What a page run needs from the WebGPU adapter's limits, and, where the adapter offers less, an
 * explanation in words: which limit, what this setting needs, what to change. Pure (no GPU), so
 * it is unit-tested under Deno; the page runs it before training (and `?limits=` in the page's
 * address lowers the adapter's limits for the check, to see or test the explanation).
 */
import { TILES } from "../../lib/ops/gemm.ts";
import { tileSharedBytes, tileThreads } from "../../lib/ops/gemm_codegen.ts";

/** The limits a page run depends on (the ones lib/gpu/device.ts raises to the adapter's). */
export const CHECKED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupsPerDimension",
] as const;
export type LimitName = typeof CHECKED_LIMITS[number];
export type Limits = Record<LimitName, number>;

/** The shape of a page run: the one-hidden-layer net on the digits. */
export interface RunShape {
  width: number;
  batchSize: number;
  inputDim: number;
  numClasses: number;
  trainN: number;
  testN: number;
}

export interface Need {
  limit: LimitName;
  /** The least value of the limit this run works with. */
  need: number;
  /** What needs it, in words. */
  why: string;
}

export interface Shortfall extends Need {
  have: number;
}

/** Invocations per workgroup of the elementwise, sampling and reduction kernels (lib/ops/nn.ts). */
const KERNEL_WG = 256;
/** Threads per side of the naive GEMM's workgroup (lib/ops/gemm.ts), whose grid is not folded. */
const NAIVE_GEMM_SIDE = 8;

/**
 * Rows a batch and an evaluation chunk hold: the trainer's `maxRows` (lib/train/trainer.ts), the
 * batch size, or the larger split when that is smaller.
 */
export function rowsOf(s: RunShape): number {
  return Math.min(s.batchSize, Math.max(s.trainN, s.testN));
}

/** The largest single buffer of a run, in bytes, and what it holds. */
function largestBuffer(s: RunShape): { bytes: number; why: string } {
  const rows = rowsOf(s);
  const candidates = [
    {
      bytes: 4 * s.width * s.inputDim,
      why: `layer 0's ${s.width}×${s.inputDim} float32 weights (width × ${s.inputDim} pixels)`,
    },
    {
      bytes: 4 * rows * s.width,
      why:
        `the hidden activations of a batch and of an evaluation chunk (${rows} rows × width ${s.width})`,
    },
    {
      bytes: 4 * rows * s.inputDim,
      why: `one batch of ${rows} images (${s.inputDim} pixels each)`,
    },
    {
      bytes: 4 * s.numClasses * s.width,
      why: `the output layer's ${s.numClasses}×${s.width} weights`,
    },
  ];
  return candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
}

/** What a run of shape `s` needs, limit by limit. */
export function runNeeds(s: RunShape): Need[] {
  const buffer = largestBuffer(s);
  const big = TILES.t128x64;
  const shared = Math.max(tileSharedBytes(big), 8 * KERNEL_WG);
  const side = Math.max(s.width, s.inputDim, rowsOf(s));
  return [
    { limit: "maxStorageBufferBindingSize", need: buffer.bytes, why: buffer.why },
    { limit: "maxBufferSize", need: buffer.bytes, why: buffer.why },
    {
      limit: "maxComputeWorkgroupStorageSize",
      need: shared,
      why: `the tiled matrix product's shared ${big.bm}×${big.bn} tile (${
        tileSharedBytes(big)
      } bytes) and the reductions' partial sums`,
    },
    {
      limit: "maxComputeInvocationsPerWorkgroup",
      need: Math.max(KERNEL_WG, tileThreads(big)),
      why: `the elementwise, sampling and reduction kernels (${KERNEL_WG} invocations each)`,
    },
    {
      limit: "maxComputeWorkgroupSizeX",
      need: KERNEL_WG,
      why: `the elementwise, sampling and reduction kernels (${KERNEL_WG} along x)`,
    },
    {
      limit: "maxComputeWorkgroupsPerDimension",
      need: Math.ceil(side / NAIVE_GEMM_SIDE),
      why: `the simplest matrix product's grid (one workgroup per ${NAIVE_GEMM_SIDE} outputs ` +
        `along a side of up to ${side})`,
    },
  ];
}

/** The needs that `limits` does not meet (empty: the run fits). */
export function shortfalls(s: RunShape, limits: Limits): Shortfall[] {
  return runNeeds(s).filter((n) => limits[n.limit] < n.need)
    .map((n) => ({ ...n, have: limits[n.limit] }));
}

function size(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The largest width whose buffers fit in `bytes` at this batch size (0: none does). */
export function largestWidth(s: RunShape, bytes: number): number {
  const rows = rowsOf(s);
  if (4 * rows * s.inputDim > bytes) return 0;
  return Math.floor(bytes / (4 * Math.max(s.inputDim, rows, s.numClasses)));
}

const WEBGPU_DEFAULTS: Partial<Limits> = {
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupsPerDimension: 65535,
};

/** One sentence per shortfall: the limit, what needs it, and what to do. */
export function explainShortfalls(s: RunShape, found: Shortfall[]): string[] {
  return found.map((f) => {
    const bytes = f.limit === "maxStorageBufferBindingSize" || f.limit === "maxBufferSize";
    const fmt = bytes ? size : (v: number) => v.toLocaleString("en");
    const head = `This adapter's ${f.limit} is ${fmt(f.have)}, but width ${s.width} with batch ${
      rowsOf(s)
    } needs ${fmt(f.need)} for ${f.why}.`;
    if (bytes) {
      const w = largestWidth(s, f.have);
      const smaller = w >= 1
        ? `Choose a width of at most ${w.toLocaleString("en")} (or a smaller batch)`
        : "Choose a smaller batch and width";
      return `${head} ${smaller}, or use a browser and GPU that offer a larger limit: WebGPU ` +
        "guarantees only 128 MiB (maxStorageBufferBindingSize) and 256 MiB (maxBufferSize); " +
        "most desktop GPUs offer more in current Chrome or Edge, and the page asks for the most " +
        "the adapter offers.";
    }
    const floor = WEBGPU_DEFAULTS[f.limit];
    const spec = floor !== undefined && f.need <= floor
      ? ` Every WebGPU implementation must offer at least ${
        fmt(floor)
      }, so this browser's WebGPU is restricted or incomplete: update it, or try current Chrome or Edge (version 113 or later).`
      : " Choose a smaller width or batch, or use another browser or GPU.";
    return head + spec;
  });
}

/** The adapter's limits, each lowered to the simulated one where `simulated` names it. */
export function effectiveLimits(
  adapter: Record<string, unknown>,
  simulated: Partial<Limits> = {},
): Limits {
  const out = {} as Limits;
  for (const name of CHECKED_LIMITS) {
    const real = adapter[name];
    const have = typeof real === "number" ? real : 0;
    out[name] = Math.min(have, simulated[name] ?? Infinity);
  }
  return out;
}

/**
 * `?limits=maxBufferSize=1048576,maxComputeWorkgroupSizeX=64` of the page's address: limits to
 * simulate (each lowers the adapter's for the check). Throws an error naming the bad part.
 */
export function parseSimulatedLimits(search: string): Partial<Limits> {
  const text = new URLSearchParams(search).get("limits");
  if (text === null || text === "") return {};
  const out: Partial<Limits> = {};
  for (const part of text.split(",")) {
    const [name, value, ...rest] = part.split("=");
    if (!(CHECKED_LIMITS as readonly string[]).includes(name)) {
      throw new Error(
        `?limits=: "${name}" is not one of the checked limits (${CHECKED_LIMITS.join(", ")})`,
      );
    }
    const v = Number(value);
    if (rest.length > 0 || value === undefined || !Number.isSafeInteger(v) || v < 1) {
      throw new Error(`?limits=: "${part}" needs a positive whole number, as in ${name}=1048576`);
    }
    out[name as LimitName] = v;
  }
  return out;
}
