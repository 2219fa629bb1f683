/** deno task fig:hd-gap-alpha — see lib/companion/figures.ts. */
import { figureMain } from "../lib/figures/common/cli.ts";
import { scriptFor } from "../lib/figures/registry.ts";

const { task, what, core } = scriptFor("fig:hd-gap-alpha");
figureMain(task, what, core);
