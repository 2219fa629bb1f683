/**
 * Prints what WebGPU adapter Deno gets: vendor, architecture, device, description (on Vulkan the
 * driver name and version), whether it is a software rasteriser, the backend asked for
 * (DENO_WEBGPU_BACKEND), its features and every limit, as the device the project requests it
 * (limits raised to the adapter's). One JSON object on stdout; exit 1 when there is no adapter.
 *   deno run -A bench/gpu_info.ts
 */
import { acquireDevice, NoAdapterError } from "../lib/gpu/device.ts";

try {
  const { adapter, device, summary } = await acquireDevice();
  const limits = (l: GPUSupportedLimits) => {
    const out: Record<string, number> = {};
    // GPUSupportedLimits keeps its values on the prototype's getters.
    for (const key in l) {
      const v = (l as unknown as Record<string, unknown>)[key];
      if (typeof v === "number") out[key] = v;
    }
    return out;
  };
  console.log(JSON.stringify(
    {
      deno: Deno.version.deno,
      ...summary,
      adapterFeatures: [...adapter.features].sort(),
      adapterLimits: limits(adapter.limits),
      deviceLimits: limits(device.limits),
    },
    null,
    2,
  ));
  device.destroy();
} catch (err) {
  if (!(err instanceof NoAdapterError)) throw err;
  console.error(err.message);
  Deno.exit(1);
}
