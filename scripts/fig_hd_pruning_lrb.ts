/** deno task fig:hd-pruning-lrb — see lib/figures/heavy_tails/figures.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:hd-pruning-lrb");
