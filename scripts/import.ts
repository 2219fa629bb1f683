/**
 * deno task import -- FILE.safetensors [--config FILE.json] [training flags] [--store DIR]: stores
 * a bias-free network trained elsewhere (PyTorch layout, F32; F64/F16/BF16 converted) as a
 * finished run marked as imported, so prune, export, runs and the analyses can use it. Width,
 * depth and model default to what the file's shapes say; the data set, lr, batch and noise come
 * from --config / the flags (they describe how it was trained, and the data set is checked
 * against the first and last layers). A bad file is refused before anything is written.
 */
import { parseFlags, runMain, UsageError } from "../lib/cli/args.ts";
import { importSafetensors, inferArchitecture, orderedWeights } from "../lib/interop/import.ts";
import { readSafetensorsF32 } from "../lib/formats/safetensors.ts";
import { ResultStore } from "../lib/store/results.ts";
import { DEFAULT_CONFIG } from "../lib/train/config.ts";
import { configFromFlags, TRAIN_FLAGS, TRAIN_USAGE } from "../lib/cli/train_flags.ts";

const USAGE =
  `usage: npx deno task import -- FILE.safetensors [--config FILE.json] [flags] [--store DIR]
${TRAIN_USAGE}
  --store DIR                results store (default results/)`;

runMain(async () => {
  const { values, positionals } = parseFlags(Deno.args.filter((a) => a !== "--"), {
    ...TRAIN_FLAGS,
    store: { type: "string" },
  }, USAGE);
  if (positionals.length !== 1) {
    throw new UsageError(`give exactly one .safetensors file\n${USAGE}`);
  }
  const path = positionals[0];
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const arch = inferArchitecture(orderedWeights(readSafetensorsF32(bytes, path).tensors, path));
  const config = await configFromFlags(values, { ...DEFAULT_CONFIG, ...arch });
  const store = new ResultStore(values.store ?? "results");
  const out = await importSafetensors(store, path, bytes, config);
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
    store: store.dir,
  }));
});
