/** deno task fig:curves — see lib/figures/implicit/fig_curves.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:curves");
