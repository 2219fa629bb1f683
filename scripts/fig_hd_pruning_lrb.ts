/** deno task fig:hd-pruning-lrb — see lib/companion/figures.ts. */
import { hdPruningVsLrb } from "../lib/companion/figures.ts";
import { figureMain } from "../lib/figures/cli.ts";

figureMain(
  "fig:hd-pruning-lrb",
  "Test accuracy after magnitude / node / singular-value pruning vs η/b (2106.03795).",
  hdPruningVsLrb,
);
