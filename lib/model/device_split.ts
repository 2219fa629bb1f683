/**
 * A data split on the GPU side. When the whole split fits one storage binding it stays resident
 * and minibatches are gathered on the GPU; otherwise (e.g. full MNIST on llvmpipe's 128 MiB
 * binding limit) rows are gathered on the host and uploaded per batch.
 */
import type { Batch, Gpu, Tensor } from "../gpu/runtime.ts";
import { gatherLabels, gatherRows } from "../ops/nn.ts";
import { philox4x32_10 } from "../rng/philox.ts";

export interface HostSplit {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

/** RNG stream for the per-epoch shuffles. */
export const SHUFFLE_STREAM = 0x2000;

/**
 * The order of epoch `epoch` (Fisher–Yates driven by Philox keyed by (seed, SHUFFLE_STREAM),
 * counter (i, epoch)), so batch contents depend only on (seed, epoch), as a resumed run needs.
 */
export function epochPermutation(n: number, seed: number, epoch: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const w = philox4x32_10([i, epoch, 0, 0], [seed >>> 0, SHUFFLE_STREAM]);
    // (w0·2^32 + w1) mod m computed exactly in doubles; modulo bias < m/2^64, negligible.
    const m = i + 1;
    const r = (((w[0] % m) * 4294967296) % m + (w[1] % m)) % m;
    const t = perm[i];
    perm[i] = perm[r];
    perm[r] = t;
  }
  return perm;
}

export class DeviceSplit {
  readonly resident: boolean;
  private x?: Tensor;
  private y?: Tensor;
  private labelsAll: Uint32Array;
  private index: Tensor;
  private staging: Float32Array;
  private stagingLabels: Uint32Array;

  constructor(
    private readonly gpu: Gpu,
    readonly split: HostSplit,
    readonly dim: number,
    readonly maxRows: number,
  ) {
    const bytes = split.n * dim * 4;
    this.resident = bytes <= gpu.limits.maxStorageBufferBindingSize;
    this.labelsAll = Uint32Array.from(split.y);
    if (this.resident) {
      this.x = gpu.upload(split.x, [split.n, dim], "data x");
      this.y = gpu.upload(this.labelsAll, [split.n], "data y");
    }
    this.index = gpu.tensor([maxRows], "u32", "batch index");
    this.staging = new Float32Array(maxRows * dim);
    this.stagingLabels = new Uint32Array(maxRows);
  }

  get n(): number {
    return this.split.n;
  }

  /** Records the assembly of rows `ids` into (xOut, yOut). */
  gather(batch: Batch, ids: Uint32Array, xOut: Tensor, yOut: Tensor): void {
    const rows = ids.length;
    if (rows > this.maxRows) {
      throw new Error(`batch of ${rows} rows exceeds workspace of ${this.maxRows}`);
    }
    if (this.resident) {
      this.index.write(ids);
      gatherRows(this.gpu, batch, this.x!, this.index, xOut, rows, this.dim);
      gatherLabels(this.gpu, batch, this.y!, this.index, yOut, rows);
      return;
    }
    const { x } = this.split;
    for (let r = 0; r < rows; r++) {
      const src = ids[r] * this.dim;
      this.staging.set(x.subarray(src, src + this.dim), r * this.dim);
      this.stagingLabels[r] = this.labelsAll[ids[r]];
    }
    xOut.write(this.staging.subarray(0, rows * this.dim));
    yOut.write(this.stagingLabels.subarray(0, rows));
  }

  /** Records the assembly of the contiguous rows [start, start+rows). */
  range(batch: Batch, start: number, rows: number, xOut: Tensor, yOut: Tensor): void {
    if (this.resident) {
      batch.copy(this.x!, xOut, rows * this.dim * 4, start * this.dim * 4, 0);
      batch.copy(this.y!, yOut, rows * 4, start * 4, 0);
      return;
    }
    xOut.write(this.split.x.subarray(start * this.dim, (start + rows) * this.dim));
    yOut.write(this.labelsAll.subarray(start, start + rows));
  }

  destroy(): void {
    this.x?.destroy();
    this.y?.destroy();
    this.index.destroy();
  }
}
