/**
 * Headless Chromium with WebGPU, for the browser test and `deno task web -- --bench`: finds a
 * local Chromium (Debian's `chromium`, or $CHROMIUM) and launches it with puppeteer-core (no
 * browser download). `--enable-unsafe-webgpu` gives pages WebGPU on Linux; without a GPU,
 * Chromium's adapter is SwiftShader (a CPU Vulkan).
 */
import { existsSync } from "node:fs";
import puppeteer, { type Browser } from "puppeteer-core";
import type { RunOutcome, RunSettings } from "./page/run.ts";
import type { CheckResult } from "./page/checks.ts";

/** The page's `globalThis.htsgd` (web/page/main.ts), reached inside page.evaluate. */
export interface PageApi {
  adapter: Record<string, unknown>;
  checks(): Promise<CheckResult[]>;
  /** `stopAtStep`: ask the run to stop once an evaluation at or past this step is seen. */
  run(s: RunSettings, opts?: { stopAtStep?: number }): Promise<RunOutcome>;
  /** Continues the stopped run, or the one whose checkpoint a reload found in IndexedDB. */
  resume(): Promise<RunOutcome>;
  stop(): void;
  downloads(): Record<string, string>;
  /** The checkpoint kept in IndexedDB, summarised; undefined when there is none. */
  storedCheckpoint(): Promise<
    { step: number; settings: RunSettings; weights: number[] } | undefined
  >;
}
declare global {
  var htsgd: Promise<PageApi>;
}

/** $CHROMIUM, or the first Chromium found in the usual places; undefined when there is none. */
export function findChromium(): string | undefined {
  return Deno.env.get("CHROMIUM") ??
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(existsSync);
}

/** Launches headless Chromium; `webgpu: false` turns WebGPU off (to test the page without it). */
export function launchChromium(executablePath: string, webgpu = true): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    protocolTimeout: 600_000,
    args: [
      "--no-sandbox",
      "--disable-dev-shm-usage",
      webgpu ? "--enable-unsafe-webgpu" : "--disable-features=WebGPU,Vulkan",
    ],
  });
}
