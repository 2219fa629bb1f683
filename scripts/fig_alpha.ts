/** deno task fig:alpha — see lib/figures/implicit/fig_alpha.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:alpha");
