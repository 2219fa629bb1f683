/**
 * A `Batch` whose submit brackets its compute passes with timestamp queries: slot `slot` of the
 * timer gets the beginning of the first pass and the end of the last. Anything that records into
 * a `Batch` (gemm, FcnOnGpu, injectNoise, DeviceSplit.gather) records into this unchanged.
 */
import { Batch, type Gpu, type SubmitOptions } from "../gpu/runtime.ts";
import type { GpuTimer } from "../gpu/timing.ts";

export class TimedBatch extends Batch {
  /** Slot the next submit writes; undefined: submit untimed (like a plain Batch). */
  slot?: number;

  constructor(owner: Gpu, readonly timer?: GpuTimer) {
    super(owner);
  }

  /** A timed batch without dispatches has no pass to time and throws when a slot is set. */
  override submit(opts: SubmitOptions = {}): void {
    const { timer, slot } = this;
    if (!timer || slot === undefined) return super.submit(opts);
    if (this.passes === 0) throw new Error("TimedBatch: a timed batch needs at least one dispatch");
    super.submit({ ...opts, timestampWrites: (i, n) => passWrites(timer, slot, i, n) });
  }
}

function passWrites(
  timer: GpuTimer,
  slot: number,
  index: number,
  passes: number,
): GPUComputePassTimestampWrites | undefined {
  const first = index === 0;
  const last = index === passes - 1;
  if (first && last) return timer.both(slot);
  if (first) return timer.begin(slot);
  if (last) return timer.end(slot);
  return undefined;
}
