/**
 * The one place that talks to WebGPU: device, kernel pipelines (cached), buffers, batched
 * dispatches and read-back. Everything else in lib/ goes through a `Gpu`.
 *
 * Kernels are declared in kernels.ts (kernel_decl.ts gives the binding rule): a pipeline is
 * built from the generated header and the .wgsl body, and a dispatch names its parameters and
 * buffers, which are checked against the declaration before anything is recorded.
 */
import { acquireDevice, type AdapterSummary } from "./device.ts";
import {
  bindBuffers,
  checkEntry,
  type KernelDecl,
  kernelHeader,
  packParams,
  type WgslScalar,
} from "./kernel_decl.ts";
import { type Defines, kernelKey, loadKernelSource } from "./shader.ts";

export type DType = WgslScalar;

/** A GPU storage buffer with a shape; f32, u32 or i32 elements (4 bytes each). */
export class Tensor {
  constructor(
    readonly gpu: Gpu,
    readonly buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: DType = "f32",
  ) {}
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get byteLength(): number {
    return this.size * 4;
  }
  /** Reads the whole tensor back (waits for queued work). */
  async read(): Promise<Float32Array> {
    return new Float32Array(await this.gpu.readBytes(this.buffer, this.byteLength));
  }
  async readU32(): Promise<Uint32Array> {
    return new Uint32Array(await this.gpu.readBytes(this.buffer, this.byteLength));
  }
  write(data: Float32Array | Uint32Array | Int32Array, elementOffset = 0): void {
    // Writing nothing is a no-op; Deno's queue.writeBuffer panics on an empty write (issue 24).
    if (data.length === 0) return;
    if (data.length + elementOffset > this.size) {
      throw new Error(
        `write of ${data.length} elements at ${elementOffset} overflows tensor of ${this.size}`,
      );
    }
    this.gpu.device.queue.writeBuffer(
      this.buffer,
      elementOffset * 4,
      data.buffer as ArrayBuffer,
      data.byteOffset,
      data.byteLength,
    );
  }
  destroy(): void {
    this.buffer.destroy();
  }
}

/** One entry point of a declared kernel, built for one set of defines. */
export interface Kernel<P extends string = string, B extends string = string> {
  readonly key: string;
  readonly decl: KernelDecl<P, B>;
  readonly entry: string;
  readonly pipeline: GPUComputePipeline;
  /** Resolves to an error message if the shader or pipeline failed validation. */
  readonly status: Promise<string | undefined>;
}

type Binding = GPUBuffer | Tensor;
interface PendingDispatch {
  kernel: Kernel;
  buffers: { binding: number; buffer: GPUBuffer }[];
  groups: [number, number, number];
  paramOffset: number; // -1 when the dispatch has no params
  paramSize: number;
}

const UNIFORM_ALIGN = 256;

export interface SubmitOptions {
  timestampWrites?: (pass: number, passes: number) => GPUComputePassTimestampWrites | undefined;
}

/**
 * What a profiler (lib/bench/profile.ts) installs on a Gpu with `setProfiler`: while installed,
 * every submit encodes each dispatch in a pass of its own and asks `pass` for its timestamp
 * writes; with `groupSubmits`, every dispatch and copy is instead submitted as a command buffer
 * of its own (for adapters without timestamp queries) and `submitted` is told after each. Host
 * time spent in submits and read-backs is reported to `hostTime`.
 */
export interface GpuProfiler {
  readonly groupSubmits: boolean;
  /** Timestamp writes for the pass of one dispatch (kernel key `label`). */
  pass(label: string): GPUComputePassTimestampWrites | undefined;
  /** A copy of `bytes` bytes was encoded between passes. */
  copy(bytes: number): void;
  /** groupSubmits: one dispatch or copy (`label`) was just submitted alone. */
  submitted(label: string): void;
  hostTime(what: "submit" | "map", ms: number): void;
}

/**
 * Records dispatches and submits them in one command buffer. Parameters of all dispatches share
 * one uniform buffer (each at a 256-byte aligned offset), written just before the submit.
 */
export class Batch {
  private pending: PendingDispatch[] = [];
  private paramChunks: Uint8Array[] = [];
  private paramBytes = 0;
  private copies: {
    src: GPUBuffer;
    dst: GPUBuffer;
    size: number;
    srcOffset: number;
    dstOffset: number;
  }[] = [];
  private order: ("d" | "c")[] = [];
  constructor(private readonly gpu: Gpu) {}

  /**
   * Dispatches `groups` workgroups (x, y, z) of `kernel` (see `groups1d` for a 1-D thread count)
   * on the named buffers and parameters of its declaration; throws, naming the kernel and the
   * field, when they do not match it.
   */
  dispatch<P extends string, B extends string>(
    kernel: Kernel<P, B>,
    buffers: Partial<Record<B, Binding>>,
    groups: [number, number, number] | number,
    params: Record<P, number>,
  ): this {
    const bound = bindBuffers<Binding>(
      kernel.decl,
      kernel.entry,
      buffers,
      (b) => b instanceof Tensor ? b.dtype : undefined,
    );
    const bytes = packParams(kernel.decl, kernel.entry, params);
    const g: [number, number, number] = typeof groups === "number" ? [groups, 1, 1] : groups;
    const max = this.gpu.limits.maxComputeWorkgroupsPerDimension;
    if (g.some((v) => v > max)) {
      throw new Error(`${kernel.key}: grid ${g} exceeds ${max} workgroups per dimension`);
    }
    if (g.some((v) => v === 0)) return this; // nothing to do
    const bufs = bound.map(({ binding, buffer }) => ({
      binding,
      buffer: buffer instanceof Tensor ? buffer.buffer : buffer,
    }));
    for (const b of bufs) this.gpu.checkBindingSize(b.buffer.size, kernel.key);
    let paramOffset = -1;
    let paramSize = 0;
    if (bytes) {
      paramOffset = this.paramBytes;
      paramSize = bytes.byteLength;
      this.paramChunks.push(bytes);
      this.paramBytes += Math.ceil(bytes.byteLength / UNIFORM_ALIGN) * UNIFORM_ALIGN;
    }
    this.pending.push({ kernel, buffers: bufs, groups: g, paramOffset, paramSize });
    this.order.push("d");
    return this;
  }

  copy(src: Binding, dst: Binding, size?: number, srcOffset = 0, dstOffset = 0): this {
    const s = src instanceof Tensor ? src.buffer : src;
    const d = dst instanceof Tensor ? dst.buffer : dst;
    this.copies.push({ src: s, dst: d, size: size ?? s.size, srcOffset, dstOffset });
    this.order.push("c");
    return this;
  }

  get length(): number {
    return this.order.length;
  }

  /** Compute passes the recorded work is encoded as (a copy ends the current pass). */
  get passes(): number {
    let n = 0;
    let open = false;
    for (const op of this.order) {
      if (op === "c") open = false;
      else if (!open) {
        open = true;
        n++;
      }
    }
    return n;
  }

  /**
   * Submits everything recorded in one command buffer. `opts.timestampWrites(i, passes)` may
   * return timestamp writes for compute pass i (benchmarks bracket the first and last pass).
   */
  submit(opts: SubmitOptions = {}): void {
    if (this.order.length === 0) return;
    const profiler = this.gpu.profiler;
    const started = profiler ? performance.now() : 0;
    const passes = this.passes;
    let passIndex = 0;
    const device = this.gpu.device;
    const uniform = this.paramBytes > 0 ? this.gpu.uniformArena(this.paramBytes) : undefined;
    if (uniform) {
      const all = new Uint8Array(this.paramBytes);
      let off = 0;
      for (const chunk of this.paramChunks) {
        all.set(chunk, off);
        off += Math.ceil(chunk.byteLength / UNIFORM_ALIGN) * UNIFORM_ALIGN;
      }
      device.queue.writeBuffer(uniform, 0, all);
    }
    let encoder = device.createCommandEncoder();
    let di = 0;
    let ci = 0;
    let pass: GPUComputePassEncoder | undefined;
    for (const op of this.order) {
      if (op === "c") {
        pass?.end();
        pass = undefined;
        const c = this.copies[ci++];
        encoder.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.size);
        profiler?.copy(c.size);
        if (profiler?.groupSubmits) {
          device.queue.submit([encoder.finish()]);
          encoder = device.createCommandEncoder();
          profiler.submitted("copy");
        }
        continue;
      }
      const d = this.pending[di++];
      const entries: GPUBindGroupEntry[] = d.buffers.map(({ binding, buffer }) => ({
        binding,
        resource: { buffer },
      }));
      if (d.paramOffset >= 0 && uniform) {
        entries.unshift({
          binding: 0,
          resource: { buffer: uniform, offset: d.paramOffset, size: d.paramSize },
        });
      }
      const bindGroup = device.createBindGroup({
        layout: d.kernel.pipeline.getBindGroupLayout(0),
        entries,
      });
      if (profiler) {
        // One pass per dispatch, timed by the profiler (or one submit per dispatch).
        pass?.end();
        const label = `${d.kernel.decl.file}:${d.kernel.entry} [${d.groups.join("×")}]`;
        const writes = profiler.groupSubmits ? undefined : profiler.pass(label);
        pass = encoder.beginComputePass(writes ? { timestampWrites: writes } : {});
      } else if (!pass) {
        const writes = opts.timestampWrites?.(passIndex++, passes);
        pass = encoder.beginComputePass(writes ? { timestampWrites: writes } : {});
      }
      pass.setPipeline(d.kernel.pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
      if (profiler?.groupSubmits) {
        pass.end();
        pass = undefined;
        device.queue.submit([encoder.finish()]);
        encoder = device.createCommandEncoder();
        profiler.submitted(`${d.kernel.decl.file}:${d.kernel.entry} [${d.groups.join("×")}]`);
      }
    }
    pass?.end();
    device.queue.submit([encoder.finish()]);
    profiler?.hostTime("submit", performance.now() - started);
    this.pending = [];
    this.paramChunks = [];
    this.paramBytes = 0;
    this.copies = [];
    this.order = [];
  }
}

let shared: Promise<Gpu> | undefined;

export class Gpu {
  private kernels = new Map<string, Kernel>();
  private uniform?: GPUBuffer;
  private errors: string[] = [];
  private building: Promise<string | undefined>[] = [];
  lost?: string;
  /** Installed by `setProfiler` (benchmarks only); see GpuProfiler. */
  profiler?: GpuProfiler;

  private constructor(readonly device: GPUDevice, readonly summary: AdapterSummary) {
    device.addEventListener("uncapturederror", (ev) => {
      this.errors.push((ev as GPUUncapturedErrorEvent).error.message);
    });
    device.lost.then((info) => {
      this.lost = `${info.reason}: ${info.message}`;
    });
  }

  /** Creates a new device. Most callers want `Gpu.shared()`. */
  static async create(): Promise<Gpu> {
    const { device, summary } = await acquireDevice();
    return new Gpu(device, summary);
  }

  /** One device per process, created on first use. */
  static shared(): Promise<Gpu> {
    shared ??= Gpu.create().catch((err) => {
      shared = undefined;
      throw err;
    });
    return shared;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** One line naming the adapter, for logs and result records. */
  describe(): string {
    const s = this.summary;
    const name = s.description || s.device || s.vendor || "unknown adapter";
    return `${name} (${s.vendor || "?"}/${s.architecture || "?"}, backend ${s.backend}${
      s.isSoftware ? ", software" : ""
    })`;
  }

  /**
   * Compiles (once) an entry point of a declared kernel: its generated header, then the body in
   * `kernels/<file>.wgsl`, with the given defines.
   */
  kernel<P extends string, B extends string, E extends string>(
    decl: KernelDecl<P, B, E>,
    defines: Defines = {},
    entry: E = "main" as E,
  ): Kernel<P, B> {
    checkEntry(decl, entry);
    const key = kernelKey(decl.file, defines, entry);
    let k = this.kernels.get(key);
    if (k && k.decl !== decl) throw new Error(`kernel ${decl.file} is declared twice`);
    if (!k) {
      const code = loadKernelSource(decl.file, defines, kernelHeader(decl));
      this.device.pushErrorScope("validation");
      const module = this.device.createShaderModule({ code, label: key });
      const pipeline = this.device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint: entry },
        label: key,
      });
      const scope = this.device.popErrorScope();
      const status = Promise.all([module.getCompilationInfo(), scope]).then(([info, err]) => {
        const msgs = info.messages.filter((m) => m.type === "error")
          .map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`);
        if (err) msgs.push(err.message);
        return msgs.length ? `kernel ${key} failed to build:\n${msgs.join("\n")}` : undefined;
      });
      k = { key, decl, entry, pipeline, status };
      this.kernels.set(key, k);
      this.building.push(status);
    }
    return k as Kernel<P, B>;
  }

  /** Waits for a kernel to finish compiling and throws its build errors, if any. */
  async ready(...kernels: Kernel[]): Promise<void> {
    for (const k of kernels) {
      const err = await k.status;
      if (err) throw new Error(err);
    }
  }

  batch(): Batch {
    return new Batch(this);
  }

  /** Throws a clear error when one binding would exceed the device's storage binding limit. */
  checkBindingSize(bytes: number, what: string): void {
    const max = this.limits.maxStorageBufferBindingSize;
    if (bytes > max) {
      throw new Error(
        `${what}: buffer of ${bytes} bytes exceeds this adapter's storage binding limit of ${max} bytes ` +
          `(${
            (max / 2 ** 20).toFixed(0)
          } MiB); use a smaller width/batch or a GPU with a larger limit`,
      );
    }
  }

  /**
   * A new zero-filled storage buffer wrapped as a tensor. A tensor holds at least one element: a
   * zero-size one (an empty data split, a zero-row batch) is an error naming it, never a buffer
   * that later uploads and copies trip over.
   */
  tensor(shape: readonly number[], dtype: DType = "f32", label?: string): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(size) || size < 0) throw new Error(`bad tensor shape [${shape}]`);
    if (size === 0) {
      throw new Error(
        `${label ?? "tensor"}: shape [${shape}] has no elements (an empty data split or batch?)`,
      );
    }
    const bytes = size * 4;
    this.checkBindingSize(bytes, label ?? `tensor [${shape}]`);
    const buffer = this.device.createBuffer({
      size: Math.ceil(bytes / 4) * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    });
    return new Tensor(this, buffer, shape, dtype);
  }

  /** A tensor initialised from host data. */
  upload(
    data: Float32Array | Uint32Array | Int32Array,
    shape?: readonly number[],
    label?: string,
  ): Tensor {
    const dtype: DType = data instanceof Float32Array
      ? "f32"
      : data instanceof Uint32Array
      ? "u32"
      : "i32";
    const t = this.tensor(shape ?? [data.length], dtype, label);
    if (t.size !== data.length) {
      throw new Error(`shape [${shape}] does not match ${data.length} elements`);
    }
    t.write(data);
    return t;
  }

  uniformArena(bytes: number): GPUBuffer {
    if (!this.uniform || this.uniform.size < bytes) {
      this.uniform?.destroy();
      const size = Math.max(bytes, 64 * 1024);
      this.uniform = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
    }
    return this.uniform;
  }

  /** Installs (or, with undefined, removes) a profiler: see GpuProfiler. */
  setProfiler(profiler: GpuProfiler | undefined): void {
    this.profiler = profiler;
  }

  /** Copies `byteLength` bytes of `buffer` back to the host (waits for all queued work). */
  async readBytes(buffer: GPUBuffer, byteLength: number, offset = 0): Promise<ArrayBuffer> {
    const profiler = this.profiler;
    const started = profiler ? performance.now() : 0;
    const staging = this.device.createBuffer({
      size: Math.max(4, Math.ceil(byteLength / 4) * 4),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, offset, staging, 0, staging.size);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const copy = staging.getMappedRange().slice(0, byteLength);
    staging.unmap();
    staging.destroy();
    profiler?.hostTime("map", performance.now() - started);
    await this.throwIfFailed();
    return copy;
  }

  /** Waits for queued work and surfaces any GPU error or device loss. */
  async sync(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    await this.throwIfFailed();
  }

  /** Build errors of kernels come first: they explain the validation errors that follow. */
  private async throwIfFailed(): Promise<void> {
    if (this.building.length) {
      const building = this.building;
      this.building = [];
      const failed = (await Promise.all(building)).filter((m) => m !== undefined);
      if (failed.length) {
        this.errors = [];
        throw new Error(failed.join("\n"));
      }
    }
    if (this.lost) throw new Error(`GPU device lost (${this.lost})`);
    if (this.errors.length) {
      const msg = this.errors.join("\n");
      this.errors = [];
      throw new Error(`GPU error: ${msg}`);
    }
  }
}

/** Workgroup grid for `threads` threads of `wgSize`, folded into 2-D past the 65535 limit. */
export function groups1d(gpu: Gpu, threads: number, wgSize: number): [number, number, number] {
  const total = Math.ceil(threads / wgSize);
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (total <= max) return [total, 1, 1];
  const y = Math.ceil(total / max);
  const x = Math.ceil(total / y);
  if (y > max) throw new Error(`${threads} threads need more than ${max}² workgroups`);
  return [x, y, 1];
}
