/**
 * deno task train -- [flags]: trains one FCN or VGG11 with SGD or heavy-tailed SGD and stores the result
 * (config, metrics history, final weights) under --store, keyed by config and code version. A
 * finished run is loaded, not recomputed; an interrupted one resumes from its checkpoint.
 */
import { numberFlag, parseTaskFlags, runMain, stringFlags } from "../lib/cli/args.ts";
import { Gpu } from "../lib/gpu/runtime.ts";
import { ResultStore } from "../lib/store/results.ts";
import { checkStoreWritable } from "../lib/store/hygiene.ts";
import { DEFAULT_CONFIG, noiseLabel } from "../lib/train/config.ts";
import { datasetFor } from "../lib/data/for_config.ts";
import { configFromFlags, TRAIN_FLAGS, TRAIN_USAGE } from "../lib/cli/train_flags.ts";
import { translateAuthorsFlags } from "../lib/cli/authors_flags.ts";
import { trainOrLoad } from "../lib/train/run.ts";

const USAGE = `usage: npx deno task train -- [flags]
${TRAIN_USAGE}
  --data-dir DIR             read the dataset's files from DIR instead of the download cache
  --store DIR                results store (default results/)
  --checkpoint-every K       checkpoint every K steps (default 500)
  --version                  package and code version (the code version is part of run keys)
defaults: ${defaultsLine()}
A run's key hashes its config, the SHA-256 of the data loaded and the code version; a finished
run is loaded, an interrupted one resumes (Ctrl-C, then rerun the same command).
The authors' flag names (--iterate_noise, --iterate_noise_scale, --batch_size_train, --eval_freq,
…) are accepted as aliases: see README, "Interoperability".`;

function defaultsLine(): string {
  const d = DEFAULT_CONFIG;
  return `--dataset ${d.dataset} --width ${d.width} --depth ${d.depth} --lr ${d.lr} ` +
    `--batch-size ${d.batchSize} --eval-every ${d.evalEvery} --max-steps ${d.maxSteps} ` +
    `--convergence-accuracy ${d.convergenceAccuracy} --noise-type ${d.noise.type} --seed ${d.seed}`;
}

runMain(async () => {
  const authors = translateAuthorsFlags(Deno.args.filter((a) => a !== "--"));
  for (const note of authors.notes) console.error(`note: ${note}`);
  const values = parseTaskFlags(authors.args, {
    ...TRAIN_FLAGS,
    ...stringFlags("data-dir", "store", "checkpoint-every"),
  }, USAGE);
  const config = await configFromFlags(values);
  const checkpointEvery = numberFlag("checkpoint-every", values["checkpoint-every"], {
    integer: true,
    min: 1,
  });
  const store = new ResultStore(values.store ?? "results");
  await checkStoreWritable(store.dir); // before the GPU: a read-only --store fails at once
  const gpu = await Gpu.shared();
  console.error(`adapter: ${gpu.describe()}`);
  console.error(
    `run: ${
      config.model ?? "fcn"
    } on ${config.dataset} width ${config.width} depth ${config.depth} ${noiseLabel(config.noise)}`,
  );
  const out = await trainOrLoad(
    gpu,
    store,
    config,
    () => datasetFor(config, { dataDir: values["data-dir"], log: (l) => console.error(l) }),
    { log: (l) => console.error(l), checkpointEvery },
  );
  const m = out.metrics;
  console.log(JSON.stringify({
    key: out.key,
    cached: out.cached,
    steps: m.steps,
    stopReason: m.stopReason,
    trainAcc: m.final?.trainAcc,
    testAcc: m.final?.testAcc,
    store: store.dir,
  }));
});
