/**
 * deno task runs -- [--store DIR] [--format csv|json] [--filter column=value …]: one row per
 * training run of the store (trained or imported): config, outcome and the stored pruning
 * results. CSV (RFC 4180) loads in pandas as is.
 */
import { choiceFlag, parseTaskFlags, runMain, stringFlags, UsageError } from "../lib/cli/args.ts";
import {
  filterRows,
  formatRows,
  parseFilters,
  RUN_TABLE_COLUMNS,
  runRows,
} from "../lib/interop/runs_table.ts";
import { ResultStore } from "../lib/store/results.ts";
import { setInterruptMessage } from "../lib/interrupt.ts";

const USAGE =
  `usage: npx deno task runs -- [--store DIR] [--format csv|json] [--filter column=value …]
  columns: ${RUN_TABLE_COLUMNS.join(", ")}`;

setInterruptMessage(
  "interrupted: nothing was written",
);
runMain(async () => {
  const values = parseTaskFlags(Deno.args, {
    ...stringFlags("store", "format"),
    filter: { type: "string", multiple: true },
  }, USAGE);
  const format = choiceFlag("format", values.format ?? "csv", ["csv", "json"] as const)!;
  let filters: [string, string][];
  try {
    filters = parseFilters(values.filter ?? []);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const store = new ResultStore(values.store ?? "results");
  // A bad record is named on stderr and left out; the table of the others is still printed.
  const rows = filterRows(await runRows(store, (line) => console.error(line)), filters);
  await Deno.stdout.write(new TextEncoder().encode(formatRows(rows, format)));
});
