/**
 * deno task import -- FILE.safetensors --dataset NAME [--data-dir DIR] [--config FILE.json]
 *   [training flags] [--store DIR]: stores a bias-free network trained elsewhere (PyTorch layout,
 * F32; F64/F16/BF16 converted) as a finished run marked as imported, so prune, export, runs and
 * the analyses can use it. Width, depth and model default to what the file's shapes say; the data
 * set, lr, batch and noise come from --config / the flags (they describe how it was trained, and
 * the data set is checked against the first and last layers). The data set is loaded and its
 * fingerprint recorded (`record.data`), so `prune` evaluates the network on the same data. A bad
 * file is refused before anything is written.
 */
import { parseFlags, runMain, stringFlags, UsageError } from "../lib/cli/args.ts";
import {
  importSafetensors,
  inferArchitecture,
  orderedWeights,
  weightsForConfig,
} from "../lib/interop/import.ts";
import { readSafetensorsF32 } from "../lib/formats/safetensors.ts";
import { READ_LIMITS, readFileBounded } from "../lib/store/bounded_read.ts";
import { ResultStore } from "../lib/store/results.ts";
import { DEFAULT_CONFIG } from "../lib/train/config.ts";
import { configFromFlags, TRAIN_FLAGS, TRAIN_USAGE } from "../lib/cli/train_flags.ts";
import { datasetFor } from "../lib/data/for_config.ts";
import { dataRecordFor } from "../lib/train/run.ts";
import { setInterruptMessage } from "../lib/interrupt.ts";

const USAGE =
  `usage: npx deno task import -- FILE.safetensors --dataset NAME [--data-dir DIR] [--config FILE.json] [flags] [--store DIR]
${TRAIN_USAGE}
  --data-dir DIR             where the data set's files are (loaded to record what the network
                             is evaluated on; prune then needs the same data)
  --store DIR                results store (default results/)`;

setInterruptMessage(
  "interrupted: the run was not imported (a record is created whole or not at all); rerun to import it",
);
runMain(async () => {
  const { values, positionals } = parseFlags(Deno.args.filter((a) => a !== "--"), {
    ...TRAIN_FLAGS,
    ...stringFlags("store", "data-dir"),
  }, USAGE);
  if (positionals.length !== 1) {
    throw new UsageError(`give exactly one .safetensors file\n${USAGE}`);
  }
  const path = positionals[0];
  let bytes: Uint8Array;
  try {
    bytes = await readFileBounded(path, READ_LIMITS.tensors, "the file to import");
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied)) {
      throw err; // not a regular file, too large: the message names the file
    }
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const tensors = orderedWeights(readSafetensorsF32(bytes, path).tensors, path);
  const arch = inferArchitecture(tensors, path);
  const config = await configFromFlags(values, { ...DEFAULT_CONFIG, ...arch });
  weightsForConfig(tensors, config, path); // a file that does not fit fails before data load
  const store = new ResultStore(values.store ?? "results");
  const data = await datasetFor(config, {
    dataDir: values["data-dir"],
    log: (l) => console.error(l),
  });
  const out = await importSafetensors(store, path, bytes, config, dataRecordFor(config, data));
  const imported = out.record.imported as { sha256: string; converted: string[] };
  console.log(JSON.stringify({
    key: out.key,
    created: out.created,
    sha256: imported.sha256,
    converted: imported.converted,
    model: config.model ?? "fcn",
    width: config.width,
    depth: config.depth,
    dataset: config.dataset,
    dataSha256: out.record.data?.sha256,
    store: store.dir,
  }));
});
