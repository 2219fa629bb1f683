/** deno task fig:synthetic — see lib/figures/heavy_tails/fig_synthetic.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:synthetic");
