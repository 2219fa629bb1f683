/// <reference lib="dom" />
/**
 * The page: installs the browser platform (kernels inlined at build time), acquires WebGPU,
 * loads and checks the digits, and wires the form to `trainAndPrune`. `globalThis.htsgd` exposes
 * the same entry points to tests/e2e/web_test.ts.
 */
import * as Plot from "@observablehq/plot";
import { setPlatform } from "../../lib/gpu/platform.ts";
import { NoAdapterError } from "../../lib/gpu/device.ts";
import { Gpu } from "../../lib/gpu/runtime.ts";
import type { Dataset } from "../../lib/data/dataset.ts";
import { BUILD_INFO, KERNEL_SOURCES } from "../gen/build_info.ts";
import { decodeDigits } from "./digits_codec.ts";
import { runChecks } from "./checks.ts";
import {
  configFor,
  type CurvePoint,
  PageCheckpoint,
  type RunOutcome,
  type RunSettings,
  StoppedError,
  trainAndPrune,
} from "./run.ts";
import { runFiles } from "./export.ts";
import { noiseLabel } from "../../lib/train/config.ts";

setPlatform({
  name: "browser",
  readKernel(file) {
    const text = KERNEL_SOURCES[file];
    if (text === undefined) throw new Error(`kernel kernels/${file} is not in this build`);
    return text;
  },
  env: () => undefined,
});

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const PRESETS: Record<string, Omit<RunSettings, "seed" | "maxSteps">> = {
  "demo-sgd": { type: 0, alpha: 2, sigma: 0, width: 128 },
  "demo-type1": { type: 1, alpha: 1.75, sigma: 0.0025, width: 128 },
  "wide-type1": { type: 1, alpha: 1.75, sigma: 0.0025, width: 512 },
};

const hex = (buf: ArrayBuffer) =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Fetches the digits and refuses them unless their SHA-256 is the one this build wrote. */
async function loadDigits(): Promise<Dataset> {
  const { file, sha256, bytes } = BUILD_INFO.digits;
  const res = await fetch(file);
  if (!res.ok) throw new Error(`${file}: HTTP ${res.status}`);
  const data = new Uint8Array(await res.arrayBuffer());
  if (data.length !== bytes) throw new Error(`${file}: ${data.length} bytes, expected ${bytes}`);
  const got = hex(await crypto.subtle.digest("SHA-256", data));
  if (got !== sha256) throw new Error(`${file}: SHA-256 ${got}, expected ${sha256}`);
  return decodeDigits(data, file);
}

/** Why there is no GPU, in words, with what to do about it. */
function explainNoGpu(err: unknown): string {
  const has = typeof navigator !== "undefined" && "gpu" in navigator;
  const what = has
    ? "This browser has WebGPU, but it gave the page no adapter (or the adapter refused a device)."
    : "This browser does not offer WebGPU to this page.";
  // NoAdapterError's own text is advice for Deno; the page gives the browser's instead.
  const detail = err instanceof NoAdapterError
    ? ""
    : ` (Detail: ${(err as Error)?.message ?? err})`;
  return `${what} The training runs as WebGPU compute shaders, so it cannot start here. ` +
    "WebGPU is on by default in current Chrome and Edge (version 113 or later) on Windows, " +
    "macOS and ChromeOS, and in recent Safari; on Linux, Chrome needs the flag " +
    "chrome://flags/#enable-unsafe-webgpu (or --enable-unsafe-webgpu) and a Vulkan driver, and " +
    "Firefox may need dom.webgpu.enabled in about:config. The page must be served over https or " +
    `from localhost.${detail}`;
}

function describeAdapter(gpu: Gpu): string {
  const s = gpu.summary;
  return `WebGPU adapter: ${s.description || s.device || "(no name given)"} — vendor ${
    s.vendor || "?"
  }, architecture ${s.architecture || "?"}, ${
    s.isSoftware ? "software (a CPU rasteriser: slow)" : "hardware"
  }`;
}

function drawCurve(points: CurvePoint[]): void {
  const rows = points.flatMap((p) => [
    { step: p.step, accuracy: p.trainAcc, split: "train" },
    { step: p.step, accuracy: p.testAcc, split: "test" },
  ]);
  const chart = Plot.plot({
    width: 640,
    height: 260,
    y: { label: "accuracy (%)", grid: true },
    x: { label: "step" },
    color: { legend: true },
    marks: [Plot.line(rows, { x: "step", y: "accuracy", stroke: "split" }), Plot.ruleY([95])],
  });
  $("curve").replaceChildren(chart);
}

function drawNorms(norms: number[]): void {
  const chart = Plot.plot({
    width: 640,
    height: 200,
    x: { label: "ℓ2 norm of a hidden unit's incoming weights" },
    y: { label: "units" },
    marks: [Plot.rectY(norms, Plot.binX({ y: "count" }, { x: (d: number) => d })), Plot.ruleY([0])],
  });
  $("norms").replaceChildren(chart);
}

/** figures/demo.csv's numbers for this run's config, when it is one of the demo's two arms. */
function demoReferenceFor(r: RunOutcome) {
  const demo = (type: 0 | 1) =>
    JSON.stringify(configFor({
      type,
      alpha: 1.75,
      sigma: 0.0025,
      width: 128,
      seed: 1,
      maxSteps: 1500,
    }));
  const arm = JSON.stringify(r.config) === demo(0)
    ? "SGD"
    : JSON.stringify(r.config) === demo(1)
    ? noiseLabel(r.config.noise)
    : undefined;
  return arm === undefined ? undefined : BUILD_INFO.demoReference[arm];
}

function showNumbers(gpu: Gpu, r: RunOutcome): void {
  const pct = (v: number) => `${v.toFixed(2)}%`;
  const ref = demoReferenceFor(r);
  const rows: [string, string, string][] = [
    ["", "this page", ref ? "committed Deno run (figures/demo.csv)" : ""],
    ["steps (stopping rule: train accuracy ≥ 95%)", `${r.steps} (${r.stopReason})`, ""],
    [
      "train / test accuracy",
      `${pct(r.final.trainAcc)} / ${pct(r.final.testAcc)}`,
      ref ? `${pct(ref.trainAcc)} / ${pct(ref.testAcc)}` : "",
    ],
    [
      "pruning ratio at mce 0.1",
      pct(100 * r.mce.pruningRatio),
      ref ? pct(100 * ref.mce.pruningRatio) : "",
    ],
    [
      "test / train accuracy after pruning",
      `${pct(r.mce.testAcc)} / ${pct(r.mce.trainAcc)}`,
      ref ? `${pct(ref.mce.testAcc)} / ${pct(ref.mce.trainAcc)}` : "",
    ],
    ["time per step (evaluations included)", `${r.msPerStep.toFixed(1)} ms`, ""],
    ["adapter", describeAdapter(gpu), ""],
  ];
  $("numbers").querySelector("tbody")!.replaceChildren(
    ...rows.map((cells) => {
      const tr = document.createElement("tr");
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

/** Download links for the run's files, with the command that takes them back. */
function showDownloads(files: Record<string, Uint8Array>): void {
  const box = $("downloads");
  box.replaceChildren();
  for (const [name, bytes] of Object.entries(files)) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    a.download = name;
    a.textContent = `${name} (${bytes.length.toLocaleString("en")} bytes)`;
    box.append(a, " ");
  }
  const p = document.createElement("p");
  p.textContent = "Back into a results store: npx deno task import -- model.safetensors " +
    "--config config.json (then deno task prune, export or runs work on it).";
  box.append(p);
}

function readForm(): RunSettings {
  const num = (id: string) => Number(($(id) as HTMLInputElement).value);
  return {
    type: num("type") as RunSettings["type"],
    alpha: num("alpha"),
    sigma: num("sigma"),
    width: num("width"),
    seed: num("seed"),
    maxSteps: num("maxSteps"),
  };
}

function applyPreset(name: string): void {
  const p = PRESETS[name];
  if (!p) return;
  for (const [k, v] of Object.entries(p)) ($(k) as HTMLInputElement).value = String(v);
}

function logLine(line: string): void {
  const el = $("log");
  el.textContent += line + "\n";
  el.scrollTop = el.scrollHeight;
}

async function start() {
  let gpu: Gpu;
  try {
    gpu = await Gpu.create();
  } catch (err) {
    $("adapter").textContent = "WebGPU: not available";
    const box = $("nogpu");
    box.hidden = false;
    box.textContent = explainNoGpu(err);
    throw err;
  }
  $("adapter").textContent = describeAdapter(gpu);
  const data = await loadDigits().catch((err) => {
    $("data").textContent = `Digits: ${err.message}`;
    $("data").className = "fail";
    throw err;
  });
  $("data").textContent = `Digits: ${data.train.n} train / ${data.test.n} test, SHA-256 ${
    BUILD_INFO.digits.sha256.slice(0, 16)
  }… verified`;

  let busy = false;
  let files: Record<string, Uint8Array> = {};
  /** The last run's checkpoint: Stop asks it to stop, Resume continues from it. */
  let checkpoint: PageCheckpoint | undefined;
  const button = (id: string) => $(id) as HTMLButtonElement;
  const run = async (settings: RunSettings, resume = false): Promise<RunOutcome> => {
    if (busy) throw new Error("a run is in progress");
    if (!resume || !checkpoint) checkpoint = new PageCheckpoint(configFor(settings));
    const cp = checkpoint;
    busy = true;
    button("start").disabled = true;
    button("resume").disabled = true;
    button("stop").disabled = false;
    document.body.dataset.state = "running";
    const points: CurvePoint[] = [...cp.history];
    try {
      const { outcome: r, spec, weights } = await trainAndPrune(
        gpu,
        data,
        settings,
        (p) => {
          points.push(p);
          drawCurve(points);
        },
        logLine,
        cp,
      );
      const { unitNorms: _, ...summary } = r;
      files = runFiles(r.config, spec, weights, {
        ...summary,
        adapter: gpu.summary,
        digitsSha256: BUILD_INFO.digits.sha256,
      });
      showDownloads(files);
      drawCurve(r.history);
      drawNorms(r.unitNorms);
      showNumbers(gpu, r);
      document.body.dataset.state = "done";
      checkpoint = undefined;
      return r;
    } catch (err) {
      if (err instanceof StoppedError) {
        logLine(`${err.message} (Resume)`);
        document.body.dataset.state = "stopped";
        button("resume").disabled = false;
      }
      throw err;
    } finally {
      busy = false;
      button("start").disabled = false;
      button("stop").disabled = true;
    }
  };
  $("preset").addEventListener("change", (e) => applyPreset((e.target as HTMLSelectElement).value));
  $("settings").addEventListener("input", (e) => {
    if ((e.target as HTMLElement).id !== "preset") {
      ($("preset") as HTMLSelectElement).value = "custom";
    }
  });
  $("settings").addEventListener("submit", (e) => {
    e.preventDefault();
    run(readForm()).catch((err) => err instanceof StoppedError || logLine(`error: ${err.message}`));
  });
  button("stop").addEventListener("click", () => checkpoint?.requestStop());
  button("resume").addEventListener("click", () => {
    run(readForm(), true).catch((err) =>
      err instanceof StoppedError || logLine(`error: ${err.message}`)
    );
  });
  applyPreset("demo-sgd");
  ($("start") as HTMLButtonElement).disabled = false;
  /** The last run's files, base64-encoded (for tests/e2e/web_test.ts). */
  const downloads = () =>
    Object.fromEntries(
      Object.entries(files).map(([k, v]) => [
        k,
        btoa(Array.from(v, (b) => String.fromCharCode(b)).join("")),
      ]),
    );
  const stop = () => checkpoint?.requestStop();
  return { gpu, run, stop, checks: () => runChecks(gpu), adapter: gpu.summary, downloads };
}

/** For tests/e2e/web_test.ts: resolves once the GPU and the digits are ready. */
(globalThis as Record<string, unknown>).htsgd = start();
