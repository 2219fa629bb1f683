/** deno task fig:hd-gap-alpha — see lib/figures/heavy_tails/figures.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:hd-gap-alpha");
