/** deno task fig:theory — see lib/figures/implicit/fig_theory.ts. */
import { figureScriptMain } from "../lib/figures/registry.ts";

figureScriptMain("fig:theory");
