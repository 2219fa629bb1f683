/**
 * figures/index.html: the verdict table first (claim → paper's number → ours → verdict), then one
 * part per paper with a card per figure of figures/report.md, each opening with its verdict, then
 * its claim, the paper's statement and ours (taken from the report sections the scripts wrote);
 * images referenced relatively so the folder can be opened or served as is. A section whose
 * `<name>.md` exists (the results table) gets that Markdown's tables inlined.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../store/atomic.ts";
import { type PartId, partOf, PARTS } from "./parts.ts";
import type { Outcome } from "./verdict.ts";

export interface ReportSection {
  name: string;
  title: string;
  part: PartId;
  /** The verdict's outcome, and its whole Markdown line (outcome, evidence, caveats). */
  outcome: Outcome;
  /** "reduced scale (n = 2048, 10k MNIST digits)", "the paper's scale (…)", or "–". */
  scale: string;
  verdict: string;
  criterion: string;
  paperRef: string;
  setting: string;
  claim: string;
  paper: string;
  ours: string[];
  /** Image paths (relative) in the section, in order. */
  images: { alt: string; src: string }[];
}

const SECTION = /<!-- section:([A-Za-z0-9._-]+) -->\n([\s\S]*?)<!-- end:\1 -->/g;

/** The sections of a report.md written by `updateReport`, in file order. */
export function parseReport(text: string): ReportSection[] {
  const out: ReportSection[] = [];
  for (const m of text.matchAll(SECTION)) {
    const [, name, body] = m;
    const lines = body.split("\n");
    const title = (lines.find((l) => l.startsWith("## ")) ?? `## ${name}`)
      .slice(3).replace(/\s*\(`[^`]*`\)\s*$/, "");
    const field = (label: string) =>
      (lines.find((l) => l.startsWith(`**${label}.** `)) ?? "").slice(label.length + 6);
    const images = [...body.matchAll(/!\[([^\]]*)\]\(([^)\s]+)\)/g)].map((i) => ({
      alt: i[1],
      src: i[2],
    }));
    const verdict = field("Verdict");
    const head = /^\*\*(reproduced|not reproduced|inconclusive)(?: at ([^*]+))?\*\*/.exec(verdict);
    const outcome = head?.[1];
    out.push({
      name,
      title,
      part: partOf(name, field("Part")),
      outcome: (outcome ?? "inconclusive") as Outcome,
      scale: head?.[2] ?? "–",
      verdict: verdict || "**inconclusive**. No verdict computed.",
      criterion: field("Criterion") || "none stated",
      paperRef: field("Paper number") || "not published",
      setting: field("Setting") || "see the section",
      claim: field("Claim"),
      paper: field("Paper"),
      ours: lines.filter((l) => l.startsWith("- ")).map((l) => l.slice(2)),
      images,
    });
  }
  return out;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Relative or http(s) links only (no javascript: and the like). */
function safeHref(href: string): string | undefined {
  if (/^https?:\/\//i.test(href)) return href;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(href) || href.startsWith("//")) return undefined;
  return href;
}

/** Inline Markdown used by the report: **bold**, `code`, [text](link). Escapes everything else. */
export function inlineMarkdown(text: string): string {
  const codes: string[] = [];
  let s = text.replace(/`([^`]+)`/g, (_, c: string) => {
    codes.push(`<code>${escapeHtml(c)}</code>`);
    return `\uE000${codes.length - 1}\uE000`;
  });
  s = escapeHtml(s)
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, href: string) => {
      const safe = safeHref(href.replace(/&amp;/g, "&"));
      return safe === undefined ? whole : `<a href="${escapeHtml(safe)}">${label}</a>`;
    });
  return s.replace(/\uE000(\d+)\uE000/g, (_, i: string) => codes[Number(i)]);
}

/** Markdown blocks used by the table file: headings, pipe tables and paragraphs. */
export function markdownBlocks(md: string): string {
  const out: string[] = [];
  const lines = md.split("\n");
  let i = 0;
  const cells = (l: string) => l.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
    } else if (/^#{1,6} /.test(line)) {
      const level = Math.min(6, line.indexOf(" ") + 2); // # → h3, ## → h4: inside a section
      out.push(
        `<h${Math.min(level, 6)}>${inlineMarkdown(line.replace(/^#+ /, ""))}</h${
          Math.min(level, 6)
        }>`,
      );
      i++;
    } else if (line.trim().startsWith("|") && /^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? "")) {
      const head = cells(line);
      const align = cells(lines[i + 1]).map((c) => (c.endsWith(":") ? "right" : "left"));
      i += 2;
      const body: string[][] = [];
      while (i < lines.length && lines[i].trim().startsWith("|")) body.push(cells(lines[i++]));
      const td = (tag: string, c: string, k: number) =>
        `<${tag} style="text-align:${align[k] ?? "left"}">${inlineMarkdown(c)}</${tag}>`;
      out.push(
        `<table><thead><tr>${head.map((c, k) => td("th", c, k)).join("")}</tr></thead><tbody>` +
          body.map((r) => `<tr>${r.map((c, k) => td("td", c, k)).join("")}</tr>`).join("") +
          "</tbody></table>",
      );
    } else {
      const para: string[] = [];
      while (i < lines.length && lines[i].trim() !== "" && !/^(#|\|)/.test(lines[i].trim())) {
        para.push(lines[i++]);
      }
      out.push(`<p>${inlineMarkdown(para.join(" "))}</p>`);
    }
  }
  return out.join("\n");
}

const STYLE = `body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1500px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}section{border-top:1px solid #ccc;padding-top:1em;
margin-top:2em}img{max-width:100%;height:auto;border:1px solid #eee}table{border-collapse:collapse;
margin:.5em 0 1em;font-size:.9em}th,td{border:1px solid #ccc;padding:.2em .5em}
th{background:#f4f4f4}code{background:#f4f4f4;padding:0 .2em}.files{font-size:.9em}
.verdict{padding:.4em .6em;border-left:6px solid #999;background:#f7f7f7}
.v-reproduced{border-color:#1b7837;background:#eef7ee}.v-not-reproduced{border-color:#b2182b;
background:#fbeeee}.v-inconclusive{border-color:#b8860b;background:#fbf6e8}
.badge{font-weight:bold;white-space:nowrap}.summary td{vertical-align:top}`;

const outcomeClass = (o: Outcome) => `v-${o.replace(/ /g, "-")}`;

/** The verdict table: one row per section, grouped by paper. */
export function verdictTable(sections: ReportSection[]): string {
  const rows = PARTS.flatMap((part) => {
    const mine = sections.filter((s) => s.part === part.id);
    if (mine.length === 0) return [];
    return [
      `<tr><th colspan="5" style="text-align:left">${escapeHtml(part.title)}</th></tr>`,
      ...mine.map((s) =>
        `<tr class="${outcomeClass(s.outcome)}"><td><a href="#${escapeHtml(s.name)}">${
          inlineMarkdown(s.title)
        }</a></td><td>${inlineMarkdown(s.paperRef)}</td><td>${
          inlineMarkdown(s.setting)
        }</td><td class="badge">${escapeHtml(s.outcome)}</td><td>${
          inlineMarkdown(s.scale)
        }</td></tr>`
      ),
    ];
  });
  return `<table id="verdicts" class="summary"><thead><tr><th>claim</th>` +
    `<th>paper's figure / number</th><th>ours (preset, seeds, data, adapter)</th>` +
    `<th>verdict</th><th>scale</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The lines of report.md's run block (preset, adapter, wall time), or [] without one. */
export function parseRunBlock(text: string): string[] {
  const block = /<!-- run -->\n([\s\S]*?)<!-- end:run -->/.exec(text)?.[1] ?? "";
  return block.split("\n").filter((l) => l.startsWith("- ")).map((l) => l.slice(2));
}

/**
 * The page for the given sections; `extras[name]` is Markdown appended to that section; `run`
 * (the report's run block: preset, adapter, wall time) opens the page.
 */
export function renderIndexHtml(
  sections: ReportSection[],
  extras: Record<string, string> = {},
  title = "htsgd: paper vs ours (2306.08125 and 2106.03795)",
  run: string[] = [],
): string {
  const runHtml = run.length
    ? `<div id="run"><h2>This report's run</h2><ul>${
      run.map((l) => `<li>${inlineMarkdown(l)}</li>`).join("")
    }</ul></div>\n`
    : "";
  const card = (s: ReportSection) => {
    const images = s.images.map((img) => {
      const base = img.src.replace(/\.png$/, "");
      return `<figure><a href="${escapeHtml(img.src)}"><img src="${escapeHtml(img.src)}" alt="${
        escapeHtml(img.alt)
      }" loading="eager"></a><figcaption class="files">Files: <a href="${
        escapeHtml(base)
      }.svg">SVG</a>` +
        ` · <a href="${escapeHtml(base)}.pdf">PDF</a> · <a href="${escapeHtml(base)}.png">PNG</a>` +
        ` · <a href="${escapeHtml(base)}.csv">CSV</a></figcaption></figure>`;
    }).join("\n");
    return [
      `<section id="${escapeHtml(s.name)}">`,
      `<h3>${inlineMarkdown(s.title)} <small><code>${escapeHtml(s.name)}</code></small></h3>`,
      `<p class="verdict ${outcomeClass(s.outcome)}"><strong>Verdict.</strong> ${
        inlineMarkdown(s.verdict)
      }<br><strong>Criterion.</strong> ${inlineMarkdown(s.criterion)}</p>`,
      `<p><strong>Claim.</strong> ${inlineMarkdown(s.claim)}</p>`,
      `<p><strong>Paper.</strong> ${inlineMarkdown(s.paper)}</p>`,
      `<p><strong>Ours.</strong></p><ul>${
        s.ours.map((l) => `<li>${inlineMarkdown(l)}</li>`).join("")
      }</ul>`,
      extras[s.name] ? `<div class="extra">${markdownBlocks(extras[s.name])}</div>` : "",
      images,
      "</section>",
    ].filter((x) => x !== "").join("\n");
  };
  const parts = PARTS.map((part) => {
    const mine = sections.filter((s) => s.part === part.id);
    if (mine.length === 0) return "";
    const toc = mine.map((s) =>
      `<li><a href="#${escapeHtml(s.name)}">${inlineMarkdown(s.title)}</a> (${
        escapeHtml(s.outcome)
      })</li>`
    ).join("");
    return `<div class="part" id="part-${part.id}"><h2>${escapeHtml(part.title)}</h2>\n` +
      `<ul>${toc}</ul>\n${mine.map(card).join("\n")}\n</div>`;
  }).filter((p) => p !== "").join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${runHtml}${verdictTable(sections)}
<p>Written by <code>deno task reproduce</code> from <a href="report.md">report.md</a>. Each figure
opens with its verdict, computed by its script from its own numbers against the criterion stated
next to the claim, then the paper's statement and ours (preset, seeds, adapter).</p>
${parts}
</body></html>
`;
}

/** Reads <dir>/report.md (and <name>.md companions) and writes <dir>/index.html. */
export async function buildIndexHtml(dir: string): Promise<string> {
  let report: string;
  try {
    report = await Deno.readTextFile(join(dir, "report.md"));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`${join(dir, "report.md")} not found: run a figure script first`);
    }
    throw err;
  }
  const sections = parseReport(report);
  const extras: Record<string, string> = {};
  for (const s of sections) {
    try {
      extras[s.name] = await Deno.readTextFile(join(dir, `${s.name}.md`));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  const path = join(dir, "index.html");
  await writeFileAtomic(path, renderIndexHtml(sections, extras, undefined, parseRunBlock(report)));
  return path;
}
