/** deno task fig:hd-alpha-prunable — see lib/companion/figures.ts. */
import { hdAlphaVsPrunable } from "../lib/companion/figures.ts";
import { figureMain } from "../lib/figures/cli.ts";

figureMain(
  "fig:hd-alpha-prunable",
  "Per-layer α̂ vs prunable fraction at 10% relative error (2106.03795).",
  hdAlphaVsPrunable,
);
