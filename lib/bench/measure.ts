/**
 * The timing loop: `warmup` untimed runs, then `repeats` repeats of `inner` runs each; a run is
 * one command buffer recorded by `record(batch, i)` (i counts every run, warm-up included, so a
 * step's RNG counter advances as in training).
 *
 * "timestamp": each run's compute passes are bracketed by GPU timestamps (TimedBatch); a
 * repeat's value is the mean over its runs. "wall": the runs of a repeat are submitted back to
 * back through the runtime's own Batch and the host clock spans the first record to
 * onSubmittedWorkDone; a repeat's value is that span / inner. Both report the median over
 * repeats; the wall value is measured in both modes (host recording included).
 */
import type { Batch, Gpu } from "../gpu/runtime.ts";
import { GpuTimer, hasTimestamps } from "../gpu/timing.ts";
import { TimedBatch } from "./timed_batch.ts";

export type MeasureMethod = "timestamp" | "wall";

export interface MeasureOptions {
  method: MeasureMethod;
  warmup: number;
  repeats: number;
  inner: number;
}

export interface Measurement {
  /** Median over repeats by the chosen method, in ms per run. */
  ms: number;
  /** Median over repeats by the host clock, in ms per run. */
  wallMs: number;
  method: MeasureMethod;
  /** Per-repeat values by the chosen method. */
  samples: number[];
}

/** "timestamp" where the device has timestamp queries, else "wall". */
export function defaultMethod(gpu: Gpu): MeasureMethod {
  return hasTimestamps(gpu) ? "timestamp" : "wall";
}

export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : 0.5 * (s[mid - 1] + s[mid]);
}

export async function measure(
  gpu: Gpu,
  record: (batch: Batch, run: number) => void,
  opts: MeasureOptions,
): Promise<Measurement> {
  const { warmup, repeats, inner } = opts;
  if (repeats < 1 || inner < 1) throw new Error("measure: repeats and inner must be ≥ 1");
  let run = 0;
  for (let i = 0; i < warmup; i++) {
    const b = gpu.batch();
    record(b, run++);
    b.submit();
  }
  await gpu.sync();
  const timer = opts.method === "timestamp" ? new GpuTimer(gpu, repeats * inner) : undefined;
  try {
    const walls: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      for (let j = 0; j < inner; j++) {
        let batch: Batch;
        if (timer) {
          const tb = new TimedBatch(gpu, timer);
          tb.slot = r * inner + j;
          batch = tb;
        } else batch = gpu.batch();
        record(batch, run++);
        batch.submit();
      }
      await gpu.sync();
      walls.push((performance.now() - t0) / inner);
    }
    const wallMs = medianOf(walls);
    if (!timer) return { ms: wallMs, wallMs, method: "wall", samples: walls };
    const slots = await timer.read(repeats * inner);
    const samples: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const part = slots.slice(r * inner, (r + 1) * inner);
      samples.push(part.reduce((a, b) => a + b, 0) / inner);
    }
    return { ms: medianOf(samples), wallMs, method: "timestamp", samples };
  } finally {
    timer?.destroy();
  }
}
