/** deno task fig:cnn — see lib/figures/fig_cnn.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("fig:cnn");
figureMain(task, what, core);
