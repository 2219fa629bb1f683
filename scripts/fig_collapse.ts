/** deno task fig:collapse — see lib/figures/implicit/fig_collapse.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:collapse");
