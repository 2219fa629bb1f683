/** deno task fig:seeds — see lib/figures/implicit/fig_seeds.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:seeds");
