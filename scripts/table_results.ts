/** deno task table:results — see lib/figures/table_results.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("table:results");
figureMain(task, what, core);
