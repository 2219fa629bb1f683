/** deno task fig:alpha — see lib/figures/fig_alpha.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("fig:alpha");
figureMain(task, what, core);
