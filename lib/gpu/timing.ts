/**
 * GPU-side timing with timestamp queries (the "timestamp-query" feature, which `acquireDevice`
 * requests where the adapter has it). A `GpuTimer` owns a query set of `slots` begin/end pairs;
 * each timed command buffer writes one pair (timestamp at the beginning of its first compute
 * pass, at the end of its last one), and `read()` resolves all pairs into milliseconds.
 *
 * Timestamps are in nanoseconds (wgpu applies the queue's timestamp period). They bracket GPU
 * work only: host recording, `writeBuffer` uploads and the gaps between submits are not counted.
 * Measured ≤ 10% from wall time at 4096³ on an H100 (docs/webgpu.md §2).
 */
import type { Gpu } from "./runtime.ts";

/** Whether this device can time passes with timestamp queries. */
export function hasTimestamps(gpu: Gpu): boolean {
  return gpu.device.features.has("timestamp-query");
}

/** WebGPU caps a query set at 4096 queries. */
const MAX_QUERIES = 4096;

export class GpuTimer {
  readonly querySet: GPUQuerySet;
  private resolveBuffer: GPUBuffer;
  private used = new Set<number>();

  /** A timer for `slots` measurements (each slot is one begin/end pair). */
  constructor(private readonly gpu: Gpu, readonly slots: number) {
    if (!hasTimestamps(gpu)) {
      throw new Error("this device has no timestamp-query feature; time with wall clock instead");
    }
    if (!Number.isInteger(slots) || slots < 1 || 2 * slots > MAX_QUERIES) {
      throw new Error(`GpuTimer: ${slots} slots is not in [1, ${MAX_QUERIES / 2}]`);
    }
    this.querySet = gpu.device.createQuerySet({ type: "timestamp", count: 2 * slots });
    this.resolveBuffer = gpu.device.createBuffer({
      size: 16 * slots,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /** The `timestampWrites` for the first pass of slot `slot` (its begin timestamp). */
  begin(slot: number): GPUComputePassTimestampWrites {
    this.check(slot);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * slot };
  }

  /** The `timestampWrites` for the last pass of slot `slot` (its end timestamp). */
  end(slot: number): GPUComputePassTimestampWrites {
    this.check(slot);
    this.used.add(slot);
    return { querySet: this.querySet, endOfPassWriteIndex: 2 * slot + 1 };
  }

  /** Both timestamps on one pass (the whole slot is a single pass). */
  both(slot: number): GPUComputePassTimestampWrites {
    return { ...this.begin(slot), ...this.end(slot) };
  }

  /**
   * Durations in ms of slots 0..count−1, in slot order (waits for queued work). Every slot
   * read must have been written by a submitted command buffer.
   */
  async read(count = this.slots): Promise<number[]> {
    if (count < 1 || count > this.slots) throw new Error(`GpuTimer.read: bad count ${count}`);
    for (let s = 0; s < count; s++) {
      if (!this.used.has(s)) throw new Error(`GpuTimer.read: slot ${s} was never written`);
    }
    const encoder = this.gpu.device.createCommandEncoder();
    encoder.resolveQuerySet(this.querySet, 0, 2 * count, this.resolveBuffer, 0);
    this.gpu.device.queue.submit([encoder.finish()]);
    const bytes = await this.gpu.readBytes(this.resolveBuffer, 16 * count);
    const ticks = new BigUint64Array(bytes);
    const out: number[] = [];
    for (let s = 0; s < count; s++) {
      const ns = ticks[2 * s + 1] - ticks[2 * s];
      // A reversed pair (seen on some drivers when a pass is empty) reads as 0, not 1.8e13 ms.
      out.push(ns < 0n || ns > 2n ** 62n ? 0 : Number(ns) / 1e6);
    }
    return out;
  }

  /** Forgets which slots were written, for reuse. */
  reset(): void {
    this.used.clear();
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
  }

  private check(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) {
      throw new Error(`GpuTimer: slot ${slot} is not in [0, ${this.slots})`);
    }
  }
}
