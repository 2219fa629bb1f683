/** Full-set evaluation (mean cross-entropy and accuracy) of a network on the GPU, in chunks. */
import type { Gpu, Tensor } from "../gpu/runtime.ts";
import type { DeviceSplit } from "./device_split.ts";
import type { GpuNetwork } from "./gpu_network.ts";

export interface EvalResult {
  loss: number;
  /** Percent, as in the papers' code. */
  accuracy: number;
}

/** Chunks (of the network's maxRows examples) an evaluation of `split` runs in. */
export function evalChunks(net: GpuNetwork, split: DeviceSplit): number {
  return Math.ceil(split.n / net.maxRows);
}

/**
 * Records and submits the evaluation of `split`: chunk c's (Σ loss, Σ correct) goes to
 * stats[offset + 2c], stats[offset + 2c + 1] (evalChunks(net, split) pairs). Nothing is read.
 */
export function submitEvaluation(
  gpu: Gpu,
  net: GpuNetwork,
  split: DeviceSplit,
  stats: Tensor,
  offset = 0,
): void {
  const chunk = net.maxRows;
  const chunks = evalChunks(net, split);
  if (stats.size < offset + 2 * chunks) {
    throw new Error(`evaluation stats: ${stats.size} floats, needs ${offset + 2 * chunks}`);
  }
  // A resident split copies each chunk on the GPU, in order: one submit for all chunks. A
  // streamed split writes the input buffer from the host: one submit per chunk.
  let batch = gpu.batch();
  for (let c = 0; c < chunks; c++) {
    const start = c * chunk;
    const rows = Math.min(chunk, split.n - start);
    split.range(batch, start, rows, net.x, net.y);
    net.forwardLoss(batch, rows, false, stats, offset + 2 * c);
    if (!split.resident) {
      batch.submit();
      batch = gpu.batch();
    }
  }
  batch.submit();
}

/** The evaluation of an n-example split from its chunk pairs at pairs[offset …]. */
export function evalResultOf(
  pairs: Float32Array,
  offset: number,
  chunks: number,
  n: number,
): EvalResult {
  let loss = 0;
  let correct = 0;
  for (let c = 0; c < chunks; c++) {
    loss += pairs[offset + 2 * c];
    correct += pairs[offset + 2 * c + 1];
  }
  return { loss: loss / n, accuracy: (100 * correct) / n };
}

export async function evaluate(gpu: Gpu, net: GpuNetwork, split: DeviceSplit): Promise<EvalResult> {
  const chunks = evalChunks(net, split);
  const stats = gpu.tensor([2 * chunks], "f32", "eval stats");
  try {
    submitEvaluation(gpu, net, split, stats);
    return evalResultOf(await stats.read(), 0, chunks, split.n);
  } finally {
    stats.destroy();
  }
}
