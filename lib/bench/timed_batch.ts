/**
 * A `Batch` whose submit brackets its compute passes with timestamp queries. It records the
 * same dispatches and copies and encodes them exactly as `Batch.submit` does (one compute pass
 * per run of dispatches, a bind group per dispatch, all parameters in the shared uniform arena),
 * adding `timestampWrites` to the first and the last compute pass. Anything that records into
 * a `Batch` (gemm, FcnOnGpu, injectNoise, DeviceSplit.gather) records into this unchanged.
 *
 * It subclasses Batch because Batch keeps its recording private. A runtime hook would make it
 * unnecessary: `Batch.submit(opts?: { timestampWrites?: { first, last } })` passing the writes
 * to the first and last `beginComputePass` (see the report of issue #8).
 */
import { Batch, type Gpu, type Kernel, type Params, Tensor } from "../gpu/runtime.ts";
import type { GpuTimer } from "../gpu/timing.ts";

type Binding = GPUBuffer | Tensor;

type Op =
  | {
    kind: "d";
    kernel: Kernel;
    buffers: GPUBuffer[];
    groups: [number, number, number];
    params?: Uint8Array;
  }
  | {
    kind: "c";
    src: GPUBuffer;
    dst: GPUBuffer;
    size: number;
    srcOffset: number;
    dstOffset: number;
  };

const UNIFORM_ALIGN = 256;

export class TimedBatch extends Batch {
  #ops: Op[] = [];
  /** Slot the next submit writes; undefined: submit untimed (like a plain Batch). */
  slot?: number;

  constructor(private readonly owner: Gpu, readonly timer?: GpuTimer) {
    super(owner);
  }

  override dispatch(
    kernel: Kernel,
    buffers: Binding[],
    groups: [number, number, number] | number,
    params?: Params,
  ): this {
    const g: [number, number, number] = typeof groups === "number" ? [groups, 1, 1] : groups;
    const max = this.owner.limits.maxComputeWorkgroupsPerDimension;
    if (g.some((v) => v > max)) {
      throw new Error(`${kernel.key}: grid ${g} exceeds ${max} workgroups per dimension`);
    }
    if (g.some((v) => v === 0)) return this;
    const bufs = buffers.map((b) => (b instanceof Tensor ? b.buffer : b));
    for (const b of bufs) this.owner.checkBindingSize(b.size, kernel.key);
    this.#ops.push({ kind: "d", kernel, buffers: bufs, groups: g, params: params?.bytes() });
    return this;
  }

  override copy(src: Binding, dst: Binding, size?: number, srcOffset = 0, dstOffset = 0): this {
    const s = src instanceof Tensor ? src.buffer : src;
    const d = dst instanceof Tensor ? dst.buffer : dst;
    this.#ops.push({ kind: "c", src: s, dst: d, size: size ?? s.size, srcOffset, dstOffset });
    return this;
  }

  override get length(): number {
    return this.#ops.length;
  }

  /** Number of compute passes the recorded work will be encoded as. */
  get passes(): number {
    return countPasses(this.#ops);
  }

  /**
   * Submits the recorded work in one command buffer; with a timer and `slot` set, slot `slot`
   * gets the beginning of the first pass and the end of the last. A batch without dispatches
   * cannot be timed (it has no pass) and throws when a slot is set.
   */
  override submit(): void {
    const ops = this.#ops;
    this.#ops = [];
    const passes = countPasses(ops);
    const slot = this.slot;
    if (slot !== undefined && this.timer && passes === 0) {
      throw new Error("TimedBatch: a timed batch needs at least one dispatch");
    }
    if (ops.length === 0) return;
    const device = this.owner.device;
    let paramBytes = 0;
    const offsets: number[] = [];
    for (const op of ops) {
      if (op.kind === "d" && op.params) {
        offsets.push(paramBytes);
        paramBytes += Math.ceil(op.params.byteLength / UNIFORM_ALIGN) * UNIFORM_ALIGN;
      } else offsets.push(-1);
    }
    const uniform = paramBytes > 0 ? this.owner.uniformArena(paramBytes) : undefined;
    if (uniform) {
      const all = new Uint8Array(paramBytes);
      ops.forEach((op, i) => {
        if (op.kind === "d" && op.params) all.set(op.params, offsets[i]);
      });
      device.queue.writeBuffer(uniform, 0, all);
    }
    const encoder = device.createCommandEncoder();
    let pass: GPUComputePassEncoder | undefined;
    let passIndex = 0;
    ops.forEach((op, i) => {
      if (op.kind === "c") {
        pass?.end();
        pass = undefined;
        encoder.copyBufferToBuffer(op.src, op.srcOffset, op.dst, op.dstOffset, op.size);
        return;
      }
      const entries: GPUBindGroupEntry[] = op.buffers.map((buffer, b) => ({
        binding: b + 1,
        resource: { buffer },
      }));
      if (op.params && uniform) {
        entries.unshift({
          binding: 0,
          resource: { buffer: uniform, offset: offsets[i], size: op.params.byteLength },
        });
      }
      const bindGroup = device.createBindGroup({
        layout: op.kernel.pipeline.getBindGroupLayout(0),
        entries,
      });
      if (!pass) {
        const writes = this.timer && slot !== undefined
          ? passWrites(this.timer, slot, passIndex, passes)
          : undefined;
        pass = encoder.beginComputePass(writes ? { timestampWrites: writes } : {});
        passIndex++;
      }
      pass.setPipeline(op.kernel.pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(op.groups[0], op.groups[1], op.groups[2]);
    });
    pass?.end();
    device.queue.submit([encoder.finish()]);
  }
}

function countPasses(ops: Op[]): number {
  let n = 0;
  let open = false;
  for (const op of ops) {
    if (op.kind === "c") open = false;
    else if (!open) {
      open = true;
      n++;
    }
  }
  return n;
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
