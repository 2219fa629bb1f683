/** deno task fig:hd-gap-alpha — see lib/companion/figures.ts. */
import { hdGapVsAlpha } from "../lib/companion/figures.ts";
import { figureMain } from "../lib/figures/cli.ts";

figureMain("fig:hd-gap-alpha", "Generalization gap vs median α̂ (2106.03795).", hdGapVsAlpha);
