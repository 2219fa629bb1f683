/** deno task fig:hd-alpha-prunable — see lib/figures/heavy_tails/figures.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:hd-alpha-prunable");
