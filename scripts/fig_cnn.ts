/** deno task fig:cnn — see lib/figures/implicit/fig_cnn.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:cnn");
