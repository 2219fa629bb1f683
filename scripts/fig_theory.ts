/** deno task fig:theory — see lib/figures/fig_theory.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("fig:theory");
figureMain(task, what, core);
