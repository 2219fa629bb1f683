/**
 * Per-dispatch profile of the real training code (issue #23 item 2): a recorder installed on the
 * Gpu (runtime.ts `setProfiler`, `GpuProfiler`) makes every submit encode each dispatch in a
 * compute pass of its own, timed by timestamp queries ("timestamp"). Adapters without the "timestamp-query"
 * feature fall back to one submit per dispatch or copy, each timed from its submit to its
 * onSubmittedWorkDone ("submit-groups", coarser: includes the submit's own overhead). Host time
 * in submits (encoding + queue.submit) and in read-backs (copy + mapAsync) is timed on the host.
 *
 * Splitting passes changes how the driver schedules work, so the per-dispatch sum can exceed
 * an unprofiled step; the breakdown is for finding where time goes, not for the headline.
 */
import type { Gpu, GpuProfiler } from "../gpu/runtime.ts";
import { GpuTimer, hasTimestamps } from "../gpu/timing.ts";

export type ProfileMethod = "timestamp" | "submit-groups";

/** The categories of the breakdown, in print order. */
export const CATEGORIES = [
  "GEMMs",
  "elementwise",
  "softmax/CE",
  "noise",
  "gathers",
  "copies",
  "other kernels",
] as const;
export type Category = typeof CATEGORIES[number];

/** The category of a dispatch from its label (`file:entry [grid]`). */
export function categoryOf(label: string): Category {
  if (label === "copy") return "copies";
  const file = label.split(":")[0];
  if (file.startsWith("gemm_")) return "GEMMs";
  if (/^nn_(softmax_ce|reduce_pairs)$/.test(file)) return "softmax/CE";
  if (/^(noise_|stable|rng_fill)/.test(file)) return "noise";
  if (file === "nn_gather") return "gathers";
  if (/^nn_(elementwise|fill|mask_rows)$/.test(file)) return "elementwise";
  return "other kernels";
}

export interface CategoryTime {
  category: Category;
  /** Dispatches (copies for "copies"). */
  count: number;
  ms: number;
}

export interface Profile {
  method: ProfileMethod;
  /**
   * GPU time per category ("timestamp": a copy is the gap between the passes around it;
   * "submit-groups": each copy is a submit of its own).
   */
  gpu: CategoryTime[];
  /** Per label (`file:entry [grid]`, or "copy"): dispatches and ms, slowest first. */
  kernels: { label: string; count: number; ms: number }[];
  submits: { count: number; ms: number };
  maps: { count: number; ms: number };
  /** Host wall time of the whole profiled call. */
  wallMs: number;
}

interface Event {
  label: string;
  slot?: number;
  /** submit-groups: host time when the previous group was submitted, and when this one finished. */
  from?: number;
  done?: Promise<number>;
}

class Recorder implements GpuProfiler {
  readonly groupSubmits: boolean;
  readonly events: Event[] = [];
  readonly host = { submit: { count: 0, ms: 0 }, map: { count: 0, ms: 0 } };
  readonly timer?: GpuTimer;
  #slot = 0;
  #last = performance.now();

  constructor(private readonly gpu: Gpu, readonly method: ProfileMethod, slots: number) {
    this.groupSubmits = method === "submit-groups";
    if (!this.groupSubmits) this.timer = new GpuTimer(gpu, slots);
  }

  pass(label: string): GPUComputePassTimestampWrites | undefined {
    const timer = this.timer!;
    if (this.#slot >= timer.slots) {
      throw new Error(`profile: more than ${timer.slots} dispatches; profile less at once`);
    }
    const slot = this.#slot++;
    this.events.push({ label, slot });
    return timer.both(slot);
  }

  copy(_bytes: number): void {
    if (!this.groupSubmits) this.events.push({ label: "copy" });
  }

  submitted(label: string): void {
    const from = this.#last;
    const done = this.gpu.device.queue.onSubmittedWorkDone().then(() => performance.now());
    this.events.push({ label, from, done });
    this.#last = performance.now();
  }

  hostTime(what: "submit" | "map", ms: number): void {
    this.host[what].count++;
    this.host[what].ms += ms;
    this.#last = performance.now();
  }

  /** Milliseconds per event, in order (copies: the gap between the passes around them). */
  async durations(): Promise<number[]> {
    if (this.groupSubmits) {
      const out: number[] = [];
      let prevDone = 0;
      for (const e of this.events) {
        const done = await e.done!;
        out.push(Math.max(0, done - Math.max(prevDone, e.from!)));
        prevDone = done;
      }
      return out;
    }
    if (this.#slot === 0) return this.events.map(() => 0);
    const ticks = await this.#ticks();
    return this.events.map((e, i) => {
      if (e.slot !== undefined) return Number(ticks[2 * e.slot + 1] - ticks[2 * e.slot]) / 1e6;
      // A copy: from the end of the pass before it to the beginning of the pass after it.
      const before = this.events.slice(0, i).reverse().find((x) => x.slot !== undefined);
      const after = this.events.slice(i + 1).find((x) => x.slot !== undefined);
      if (!before || !after) return 0;
      const gap = ticks[2 * after.slot!] - ticks[2 * before.slot! + 1];
      return gap > 0n ? Number(gap) / 1e6 : 0;
    });
  }

  async #ticks(): Promise<BigUint64Array> {
    const timer = this.timer!;
    const bytes = 16 * this.#slot;
    const buffer = this.gpu.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const encoder = this.gpu.device.createCommandEncoder();
    encoder.resolveQuerySet(timer.querySet, 0, 2 * this.#slot, buffer, 0);
    this.gpu.device.queue.submit([encoder.finish()]);
    const out = new BigUint64Array(await this.gpu.readBytes(buffer, bytes));
    buffer.destroy();
    return out;
  }

  destroy(): void {
    this.timer?.destroy();
  }
}

/** "timestamp" where the adapter has timestamp queries, else "submit-groups". */
export function profileMethodFor(gpu: Gpu): ProfileMethod {
  return hasTimestamps(gpu) ? "timestamp" : "submit-groups";
}

/**
 * Runs `work` with a profiler installed and returns its breakdown. Work submitted before the call
 * is waited for first, so it is not counted.
 */
export async function profile(
  gpu: Gpu,
  work: () => Promise<unknown>,
  opts: { method?: ProfileMethod; slots?: number } = {},
): Promise<Profile> {
  await gpu.sync();
  const method = opts.method ?? profileMethodFor(gpu);
  const rec = new Recorder(gpu, method, opts.slots ?? 1024);
  const started = performance.now();
  gpu.setProfiler(rec);
  let wallMs: number;
  try {
    await work();
    await gpu.sync();
    wallMs = performance.now() - started;
  } finally {
    gpu.setProfiler(undefined);
  }
  try {
    const ms = await rec.durations();
    const byKernel = new Map<string, { label: string; count: number; ms: number }>();
    rec.events.forEach((e, i) => {
      const k = byKernel.get(e.label) ?? { label: e.label, count: 0, ms: 0 };
      k.count++;
      k.ms += ms[i];
      byKernel.set(e.label, k);
    });
    const kernels = [...byKernel.values()].sort((a, b) => b.ms - a.ms);
    const gpuTimes = CATEGORIES.map((category) => {
      const ks = kernels.filter((k) => categoryOf(k.label) === category);
      return {
        category,
        count: ks.reduce((a, k) => a + k.count, 0),
        ms: ks.reduce((a, k) => a + k.ms, 0),
      };
    });
    return {
      method,
      gpu: gpuTimes,
      kernels,
      submits: { ...rec.host.submit },
      maps: { ...rec.host.map },
      wallMs,
    };
  } finally {
    rec.destroy();
  }
}

const f = (ms: number) => ms.toFixed(2);

/** The breakdown as a Markdown table (GPU categories, then host submits, read-backs, wall). */
export function formatProfile(title: string, p: Profile, kernelLines = 0): string {
  const gpuTotal = p.gpu.reduce((a, c) => a + c.ms, 0);
  const rows = p.gpu.filter((c) => c.count > 0).map((c) =>
    `| ${c.category} | ${c.count} | ${f(c.ms)} | ${(100 * c.ms / gpuTotal).toFixed(0)}% |`
  );
  const lines = [
    `${title} — GPU time per dispatch by ${
      p.method === "timestamp" ? "timestamp queries" : "one submit per dispatch (no timestamps)"
    }`,
    "",
    "| category | dispatches | ms | share of GPU |",
    "|---|---|---|---|",
    ...rows,
    `| GPU total | ${p.gpu.reduce((a, c) => a + c.count, 0)} | ${f(gpuTotal)} | 100% |`,
    `| host: submits (encode + queue.submit) | ${p.submits.count} | ${f(p.submits.ms)} | |`,
    `| host: read-backs (copy + map) | ${p.maps.count} | ${f(p.maps.ms)} | |`,
    `| wall (host clock, profiled) | | ${f(p.wallMs)} | |`,
  ];
  if (kernelLines > 0) {
    lines.push("", "| kernel | dispatches | ms |", "|---|---|---|");
    for (const k of p.kernels.slice(0, kernelLines)) {
      lines.push(`| ${k.label} | ${k.count} | ${f(k.ms)} |`);
    }
  }
  return lines.join("\n");
}
