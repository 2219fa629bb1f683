/** deno task fig:width — see lib/figures/implicit/fig_width.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:width");
