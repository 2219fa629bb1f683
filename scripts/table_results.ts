/** deno task table:results — see lib/figures/implicit/table_results.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("table:results");
