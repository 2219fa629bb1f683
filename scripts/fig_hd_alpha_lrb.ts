/** deno task fig:hd-alpha-lrb — see lib/companion/figures.ts. */
import { hdAlphaVsLrb } from "../lib/companion/figures.ts";
import { figureMain } from "../lib/figures/cli.ts";

figureMain(
  "fig:hd-alpha-lrb",
  "Median layer tail index α̂ vs η/b over the (lr, batch) sweep (2106.03795).",
  hdAlphaVsLrb,
);
