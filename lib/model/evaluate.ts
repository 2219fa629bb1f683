/** Full-set evaluation (mean cross-entropy and accuracy) of a network on the GPU, in chunks. */
import type { Gpu } from "../gpu/runtime.ts";
import type { DeviceSplit } from "./device_split.ts";
import type { GpuNetwork } from "./gpu_network.ts";

export interface EvalResult {
  loss: number;
  /** Percent, as in the papers' code. */
  accuracy: number;
}

export async function evaluate(gpu: Gpu, net: GpuNetwork, split: DeviceSplit): Promise<EvalResult> {
  const chunk = net.maxRows;
  const chunks = Math.ceil(split.n / chunk);
  const stats = gpu.tensor([2 * chunks], "f32", "eval stats");
  for (let c = 0; c < chunks; c++) {
    const start = c * chunk;
    const rows = Math.min(chunk, split.n - start);
    const batch = gpu.batch();
    split.range(batch, start, rows, net.x, net.y);
    net.forward(batch, rows);
    net.loss(batch, rows, false, stats, 2 * c);
    batch.submit(); // one chunk per submit: a streamed split rewrites the input buffer
  }
  const pairs = await stats.read();
  stats.destroy();
  let loss = 0;
  let correct = 0;
  for (let c = 0; c < chunks; c++) {
    loss += pairs[2 * c];
    correct += pairs[2 * c + 1];
  }
  return { loss: loss / split.n, accuracy: (100 * correct) / split.n };
}
