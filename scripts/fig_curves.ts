/** deno task fig:curves — see lib/figures/fig_curves.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("fig:curves");
figureMain(task, what, core);
