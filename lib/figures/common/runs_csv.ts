/** <name>_runs.csv: one row per run (per seed) behind a figure, with the store key of each run. */
import { join } from "node:path";
import { toCsv } from "../../plot/csv.ts";
import { writeFileAtomic } from "../../store/atomic.ts";
import type { FigureContext } from "./context.ts";
import { provenanceColumns } from "./style.ts";
import type { RunRow } from "./figure_runs.ts";

export const RUN_COLUMNS = [
  "dataset",
  "width",
  "method",
  "alpha",
  "sigma",
  "seed",
  "steps",
  "stopReason",
  "trainAcc",
  "testAcc",
  "pruningRatio",
  "prunedTrainAcc",
  "prunedTestAcc",
  "maxAbsHidden",
  "runKey",
  "preset",
  "seeds",
  "adapter",
];

export async function runsCsv(ctx: FigureContext, name: string, rows: RunRow[]): Promise<string> {
  const path = join(ctx.outDir, `${name}_runs.csv`);
  const flat = rows.map((r) => {
    const { curve: _curve, cached: _cached, datasetLabel: _label, ...rest } = r;
    const finite = Object.fromEntries(
      Object.entries(rest).map((
        [k, v],
      ) => [k, typeof v === "number" && !Number.isFinite(v) ? null : v]),
    );
    return { ...finite, ...provenanceColumns(ctx) };
  });
  await writeFileAtomic(path, toCsv(flat, RUN_COLUMNS));
  return path;
}
