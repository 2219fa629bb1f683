/** deno task fig:hd-pruning-lrb — see lib/companion/figures.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("fig:hd-pruning-lrb");
figureMain(task, what, core);
