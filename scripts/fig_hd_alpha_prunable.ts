/** deno task fig:hd-alpha-prunable — see lib/companion/figures.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("fig:hd-alpha-prunable");
figureMain(task, what, core);
