/** deno task fig:hd-alpha-lrb — see lib/figures/heavy_tails/figures.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:hd-alpha-lrb");
