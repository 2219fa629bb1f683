/**
 * figures/report.md: one section per figure script, each opening with its verdict (computed by
 * the script from its own numbers against the criterion written next to the claim), then the
 * claim, the paper's statement and our numbers. Above the sections, a summary table (claim →
 * paper's number → ours → verdict) is rebuilt from the sections on every write, and the sections
 * are grouped in two parts: 2306.08125, then 2106.03795. A script replaces only its own section,
 * and the file is rewritten atomically.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../store/atomic.ts";
import { parseReport, type ReportSection } from "./index_html.ts";
import { type PartId, partOf, PARTS } from "./parts.ts";
import { type Verdict, verdictLine } from "./verdict.ts";
import { changesMarkdown } from "./changes.ts";

export { type PartId, partOf, PARTS };

const HEADER = "# Paper vs ours\n\nWritten by the figure scripts (`deno task reproduce`); each " +
  "section is replaced when its script reruns, and the summary is rebuilt from the sections. " +
  "Verdicts are computed by the scripts from their own numbers against the criterion stated in " +
  "each section.\n";

export interface ReportEntry {
  name: string;
  title: string;
  /** Which paper the figure belongs to (default: 2106.03795 for `fig_hd_*`/`fig_synthetic`). */
  part?: PartId;
  claim: string;
  /** The verdict on the claim; sections without one read "inconclusive: no verdict computed". */
  verdict?: Verdict;
  /** The paper's figure or number in a few words, or "not published", for the summary table. */
  paperRef?: string;
  /** Our setting in a few words (preset, seeds, data, adapter), for the summary table. */
  setting?: string;
  /** Markdown lines: our numbers, preset, seeds, adapter. */
  ours: string[];
  /** The paper's statement behind the claim, or why there is none. */
  paper: string;
  /** false for a section without a figure (a figure the preset does not run). */
  image?: boolean;
}

/** Table cells must not break the pipe table. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderSection(e: ReportEntry): string {
  const v = e.verdict;
  return [
    `<!-- section:${e.name} -->`,
    `## ${e.title} (\`${e.name}\`)`,
    "",
    `**Verdict.** ${v ? verdictLine(v) : "**inconclusive**. No verdict computed."}`,
    "",
    `**Criterion.** ${v ? v.criterion : "none stated"}`,
    "",
    `**Part.** ${partOf(e.name, e.part)}`,
    "",
    `**Claim.** ${e.claim}`,
    "",
    `**Paper.** ${e.paper}`,
    "",
    `**Paper number.** ${e.paperRef ?? "not published"}`,
    "",
    `**Setting.** ${e.setting ?? "see below"}`,
    "",
    "**Ours.**",
    ...e.ours.map((l) => `- ${l}`),
    ...(e.image === false ? [] : ["", `![${e.name}](${e.name}.png)`]),
    `<!-- end:${e.name} -->`,
  ].join("\n");
}

/** The summary table of the given sections, one table per part. */
export function summaryMarkdown(sections: ReportSection[]): string {
  const out = ["<!-- summary -->", "## Summary", ""];
  for (const part of PARTS) {
    const mine = sections.filter((s) => s.part === part.id);
    if (mine.length === 0) continue;
    out.push(
      `### ${part.title}`,
      "",
      "| claim | paper's figure / number | ours (preset, seeds, data, adapter) | verdict | scale |",
      "| --- | --- | --- | --- | --- |",
      ...mine.map((s) =>
        `| [${cell(s.title)}](#${s.name}) | ${cell(s.paperRef)} | ` +
        `${cell(s.setting)} | **${s.outcome}** | ${cell(s.scale)} |`
      ),
      "",
    );
  }
  out.push("<!-- end:summary -->");
  return out.join("\n");
}

const BLOCK = /<!-- section:([A-Za-z0-9._-]+) -->\n[\s\S]*?<!-- end:\1 -->/g;
/** The preset-run block (wall time, adapter), written by `deno task reproduce` at its end. */
const RUN_BLOCK = /<!-- run -->\n[\s\S]*?<!-- end:run -->/;

/** The preset-run block for Markdown lines (a "## This report's run" paragraph). */
export function runBlock(lines: string[]): string {
  return [
    "<!-- run -->",
    "## This report's run",
    "",
    ...lines.map((l) => `- ${l}`),
    "<!-- end:run -->",
  ]
    .join("\n");
}

/**
 * Rebuilds the whole file: header, the run block (if any), summary, then each part's sections in
 * their old order.
 */
export function renderReport(blocks: { name: string; text: string }[], run = ""): string {
  const sections = parseReport(blocks.map((b) => b.text).join("\n\n"));
  const parts = PARTS.map((part) => {
    const mine = blocks.filter((b) =>
      partOf(b.name, sections.find((s) => s.name === b.name)?.part) === part.id
    );
    return mine.length === 0
      ? ""
      : [`# ${part.title}`, "", ...mine.map((b) => `${b.text}\n`)].join("\n");
  }).filter((p) => p !== "");
  const head = run ? [HEADER, run, ""] : [HEADER];
  return [...head, changesMarkdown(), summaryMarkdown(sections), "", ...parts].join("\n")
    .trimEnd() + "\n";
}

async function readReport(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    return "";
  }
}

/** Replaces the run block of <dir>/report.md (sections kept). */
export async function updateRunInfo(dir: string, lines: string[]): Promise<string> {
  const path = join(dir, "report.md");
  const text = await readReport(path);
  const blocks = [...text.matchAll(BLOCK)].map((m) => ({ name: m[1], text: m[0] }));
  await writeFileAtomic(path, renderReport(blocks, runBlock(lines)));
  return path;
}

export async function updateReport(dir: string, entry: ReportEntry): Promise<string> {
  const path = join(dir, "report.md");
  const text = await readReport(path);
  const run = RUN_BLOCK.exec(text)?.[0] ?? "";
  const blocks = [...text.matchAll(BLOCK)].map((m) => ({ name: m[1], text: m[0] }));
  const section = { name: entry.name, text: renderSection(entry) };
  const i = blocks.findIndex((b) => b.name === entry.name);
  if (i >= 0) blocks[i] = section;
  else blocks.push(section);
  await writeFileAtomic(path, renderReport(blocks, run));
  return path;
}
