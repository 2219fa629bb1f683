/**
 * deno task export -- <run key> --format safetensors|npy --out DIR [--store DIR]
 *   [--pruned mce-0.1 | --fraction F]: writes a stored run's final weights (optionally pruned) as
 * `model.safetensors` or one `<name>.npy` per tensor, named as PyTorch's state_dict of the
 * equivalent bias-free nn.Sequential (`0.weight`, `2.weight`, …), plus `run.json`.
 */
import { choiceFlag, numberFlag, parseFlags, runMain, UsageError } from "../lib/cli/args.ts";
import {
  checkExportTarget,
  EXPORT_FORMATS,
  exportRun,
  ExportTargetError,
  parsePrunedSpec,
} from "../lib/interop/export.ts";
import type { PruneCriterion } from "../lib/prune/columns.ts";
import { ResultStore } from "../lib/store/results.ts";
import { setInterruptMessage } from "../lib/interrupt.ts";

const USAGE =
  `usage: npx deno task export -- <run key> --format safetensors|npy --out DIR [--store DIR]
  --pruned mce-E     prune first: smallest units holding ≤ E of each layer's ‖W‖_F² (e.g. mce-0.1)
  --fraction F       prune first: the ⌊F·n⌋ smallest units of each prunable layer
Writes DIR/model.safetensors (or DIR/<tensor>.npy) and DIR/run.json (config, metrics, pruning);
DIR must be new or empty, and appears only once every file is written.`;

setInterruptMessage(
  "interrupted: nothing was exported (files are written to a temporary folder and moved into place only when complete)",
);
runMain(async () => {
  const { values, positionals } = parseFlags(Deno.args.filter((a) => a !== "--"), {
    format: { type: "string" },
    out: { type: "string" },
    store: { type: "string" },
    pruned: { type: "string" },
    fraction: { type: "string" },
  }, USAGE);
  if (positionals.length !== 1) throw new UsageError(`give exactly one run key\n${USAGE}`);
  const format = choiceFlag("format", values.format ?? "safetensors", EXPORT_FORMATS)!;
  if (!values.out) throw new UsageError(`--out DIR is required\n${USAGE}`);
  if (values.pruned !== undefined && values.fraction !== undefined) {
    throw new UsageError("give --pruned or --fraction, not both");
  }
  let criterion: PruneCriterion | undefined;
  if (values.pruned !== undefined) {
    try {
      criterion = parsePrunedSpec(values.pruned);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const fraction = numberFlag("fraction", values.fraction, { min: 0, max: 1 });
  if (fraction !== undefined) criterion = { kind: "fraction", fraction };
  try {
    await checkExportTarget(values.out); // before any work; exportRun checks again
  } catch (err) {
    if (err instanceof ExportTargetError) throw new UsageError(err.message);
    throw err;
  }
  const store = new ResultStore(values.store ?? "results");
  const key = positionals[0];
  if (!(await store.has(key))) {
    throw new UsageError(`no finished run "${key}" in ${store.dir} (see deno task runs)`);
  }
  const out = await exportRun(store, key, { format, outDir: values.out, criterion });
  console.log(JSON.stringify({
    key,
    format,
    files: out.files,
    tensors: out.tensors,
    pruningRatio: out.pruning?.pruningRatio,
  }));
});
