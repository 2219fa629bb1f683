/** deno task fig:width — see lib/figures/fig_width.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("fig:width");
figureMain(task, what, core);
