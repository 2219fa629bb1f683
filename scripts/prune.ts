/**
 * deno task prune -- <run key> [--error 0.1] [--fractions 0,0.1,...]: prunes a stored run's hidden
 * units (mce at the given squared-Frobenius error, and/or fixed fractions) and reports the pruning
 * ratio and train/test accuracy without retraining, as JSON lines.
 */
import { numberFlag, parseFlags, runMain, stringFlags, UsageError } from "../lib/cli/args.ts";
import { Gpu } from "../lib/gpu/runtime.ts";
import { pruneAndEvaluate } from "../lib/prune/evaluate.ts";
import { storePruneResults } from "../lib/pipelines/run_and_prune.ts";
import type { PruneCriterion } from "../lib/prune/columns.ts";
import { ResultStore } from "../lib/store/results.ts";
import { datasetFor } from "../lib/data/for_config.ts";
import { dataRecordFor, loadStoredRun } from "../lib/train/run.ts";
import { modelSpecFor } from "../lib/train/model_for.ts";

const USAGE =
  `usage: npx deno task prune -- <run key> [--store DIR] [--error E] [--fractions F1,F2,...] [--data-dir DIR]
  --error E        mce criterion: prune the smallest units holding ≤ E of ‖W‖_F² (default 0.1)
  --fractions ...  also prune these fractions of units per layer (e.g. 0,0.1,0.2)`;

runMain(async () => {
  const { values, positionals } = parseFlags(Deno.args.filter((a) => a !== "--"), {
    ...stringFlags("store", "error", "fractions", "data-dir"),
  }, USAGE);
  if (positionals.length !== 1) throw new UsageError(`give exactly one run key\n${USAGE}`);
  const key = positionals[0];
  const error = numberFlag("error", values.error, { min: 0, max: 1 }) ?? 0.1;
  const criteria: PruneCriterion[] = [{ kind: "mce", error }];
  for (const part of values.fractions?.split(",") ?? []) {
    const f = numberFlag("fractions", part, { min: 0, max: 1 })!;
    criteria.push({ kind: "fraction", fraction: f });
  }
  const store = new ResultStore(values.store ?? "results");
  const run = await loadStoredRun(store, key);
  if (!run) throw new UsageError(`no finished run "${key}" in ${store.dir} (see deno task train)`);
  const { config, weights } = run;
  if (weights.length === 0) throw new Error(`run ${key} has no weights (it diverged)`);
  const data = await datasetFor(config, {
    dataDir: values["data-dir"],
    log: (l) => console.error(l),
  });
  const fingerprint = dataRecordFor(config, data);
  const imported = run.metrics.stopReason === "imported";
  if (run.data === undefined) {
    throw new Error(
      imported
        ? `run ${key} was imported without a record of its data (by an older version): import ` +
          `the file again (deno task import -- FILE --dataset ${config.dataset} [--data-dir DIR]) ` +
          `and prune the new key`
        : `run ${key} records no data fingerprint: it cannot be checked against the data loaded ` +
          `now; train it again`,
    );
  }
  if (run.data.sha256 !== fingerprint.sha256) {
    throw new Error(
      `run ${key} was ${imported ? "imported for" : "trained on"} data ${run.data.sha256} ` +
        `(${run.data.source}), but the data loaded now are ${fingerprint.sha256} ` +
        `(${fingerprint.source}): pass the same --data-dir`,
    );
  }
  const gpu = await Gpu.shared();
  const results = await pruneAndEvaluate(
    gpu,
    modelSpecFor(config, data),
    weights,
    data,
    criteria,
    config.batchSize,
  );
  await storePruneResults(store, key, criteria, results); // shown by `deno task runs`
  for (const r of results) {
    console.log(JSON.stringify({
      key,
      criterion: r.criterion,
      pruningRatio: r.pruningRatio,
      trainAcc: r.train.accuracy,
      testAcc: r.test.accuracy,
      layers: r.layers,
    }));
  }
});
