/**
 * The adapter's ceiling for f32 arithmetic (issue #23): a kernel of pure `fma` chains with no
 * memory traffic but one store per invocation, 1024 workgroups of 64, 4096 iterations, with 8 or
 * 16 scalar and 4 or 8 vec4 independent accumulators. On a CPU rasteriser (llvmpipe, lavapipe)
 * this bounds what any GEMM kernel can reach: each invocation is one SIMD lane there, so a GEMM
 * adds per-lane loads on top of these FMAs. Prints GFLOP/s per variant (best of 3, host clock).
 *   deno run -A bench/fma_peak.ts        # DENO_WEBGPU_BACKEND=gl|vulkan picks the backend
 */
import { acquireDevice } from "../lib/gpu/device.ts";

const GROUPS = 1024;
const ITERS = 4096;

function kernel(accumulators: number, vec4: boolean): string {
  const t = vec4 ? "vec4<f32>" : "f32";
  const ids = [...Array(accumulators).keys()];
  return `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let x = ${t}(f32(g.x) * 1e-9 + 1.0);
  ${ids.map((i) => `var a${i} = ${t}(f32(${i}) * 1e-3);`).join("\n  ")}
  for (var i = 0u; i < ${ITERS}u; i++) {
    ${ids.map((i) => `a${i} = fma(a${i}, x, x);`).join("\n    ")}
  }
  var s = ${t}(0.0);
  ${ids.map((i) => `s += a${i};`).join("\n  ")}
  o[g.x] = ${vec4 ? "s.x + s.y + s.z + s.w" : "s"};
}`;
}

const { device, summary } = await acquireDevice();
console.log(`f32 fma ceiling on ${summary.description || summary.device} (${summary.backend})`);
const out = device.createBuffer({
  size: 4 * GROUPS * 64,
  usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
});
const readBack = device.createBuffer({
  size: 16,
  usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
});
const variants: [number, boolean][] = [[8, false], [16, false], [4, true], [8, true]];
for (const [accumulators, vec4] of variants) {
  const module = device.createShaderModule({ code: kernel(accumulators, vec4) });
  const pipeline = device.createComputePipeline({
    layout: "auto",
    compute: { module, entryPoint: "main" },
  });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: out } }],
  });
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(GROUPS);
    pass.end();
    encoder.copyBufferToBuffer(out, 0, readBack, 0, 16);
    device.queue.submit([encoder.finish()]);
    await readBack.mapAsync(GPUMapMode.READ);
    readBack.unmap();
    best = Math.min(best, performance.now() - t0);
  }
  const flops = 2 * GROUPS * 64 * ITERS * accumulators * (vec4 ? 4 : 1);
  const name = `${accumulators} ${vec4 ? "vec4" : "f32"} accumulators`;
  console.log(`${name.padEnd(20)} ${(flops / best / 1e6).toFixed(1)} GFLOP/s`);
}
device.destroy();
