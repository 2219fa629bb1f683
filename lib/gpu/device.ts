/**
 * Acquires a WebGPU adapter and device, raising the limits that the work needs up to what the
 * adapter offers (Deno otherwise hands out the spec minimums, e.g. 128 MiB storage bindings).
 */
import { platform } from "./platform.ts";

/** What we know about the adapter we got; printed by every script and stored with results. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU rasterisers (Mesa llvmpipe, SwiftShader, WARP): slow, so presets shrink. */
  isSoftware: boolean;
  /** Value of DENO_WEBGPU_BACKEND when set (vulkan, gl, ...), else "default" (the browser's own). */
  backend: string;
  features: string[];
}

/** Limits raised to the adapter's maximum when it offers more than the default. */
const RAISED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
] as const;

export class NoAdapterError extends Error {
  constructor() {
    super(
      "No WebGPU adapter found. On Linux without a GPU install Mesa's software driver " +
        "(apt-get install libegl1 libgl1-mesa-dri mesa-vulkan-drivers) so Deno can use llvmpipe; " +
        "on a machine with a GPU install its Vulkan driver. DENO_WEBGPU_BACKEND=vulkan|gl picks the backend.",
    );
    this.name = "NoAdapterError";
  }
}

function isSoftwareAdapter(info: GPUAdapterInfo): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`
    .toLowerCase();
  return /llvmpipe|lavapipe|swiftshader|softpipe|warp|software/.test(text);
}

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  summary: AdapterSummary;
}

export async function acquireDevice(
  powerPreference: GPUPowerPreference = "high-performance",
): Promise<AcquiredDevice> {
  if (typeof navigator === "undefined" || !("gpu" in navigator)) throw new NoAdapterError();
  const adapter = await navigator.gpu.requestAdapter({ powerPreference });
  if (!adapter) throw new NoAdapterError();
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === "number") requiredLimits[name] = value;
  }
  const wanted: GPUFeatureName[] = ["timestamp-query", "shader-f16"];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = adapter.info;
  const summary: AdapterSummary = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isSoftware: isSoftwareAdapter(info),
    backend: platform().env("DENO_WEBGPU_BACKEND") ?? "default",
    features: [...device.features].sort(),
  };
  return { adapter, device, summary };
}
