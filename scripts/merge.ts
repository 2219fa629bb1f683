/**
 * deno task merge -- --into DIR SRC1 SRC2 ...: combines the results stores of several machines
 * (e.g. the shards of a sweep) into DIR. Finished runs are copied atomically (weights first,
 * record last); unfinished runs, checkpoints and temp files are not. A key present in several
 * places must hold the same result (apart from creation time, host and wall time): otherwise it
 * is a conflict, nothing is written for it, and the exit code is 1. See lib/shard/merge.ts.
 */
import { parseFlags, runMain, UsageError } from "../lib/cli/args.ts";
import { describeIssues, mergeStores } from "../lib/shard/merge.ts";
import { setInterruptMessage } from "../lib/interrupt.ts";

const USAGE = `usage: npx deno task merge -- --into DIR SRC1 [SRC2 ...] [--dry-run]
  --into DIR   destination store (created if missing; may already hold runs)
  --dry-run    report what would be copied and refused; write nothing`;

setInterruptMessage(
  "interrupted: records already merged are complete (each is created whole); rerun the same command to merge the rest",
);
runMain(async () => {
  const { values, positionals } = parseFlags(Deno.args.filter((a) => a !== "--"), {
    into: { type: "string" },
    "dry-run": { type: "boolean" },
  }, USAGE);
  if (values.into === undefined) throw new UsageError(`--into is required\n${USAGE}`);
  if (positionals.length === 0) throw new UsageError(`give at least one source store\n${USAGE}`);
  const report = await mergeStores(values.into, positionals, { dryRun: values["dry-run"] });
  for (const line of describeIssues(report)) console.error(line);
  const verb = values["dry-run"] ? "would copy" : "copied";
  console.error(
    `merge into ${report.into}: ${verb} ${report.copied.length} runs, ` +
      `${report.identical.length} already there (identical), ${report.conflicts.length} ` +
      `conflicts, ${report.corrupt.length} corrupt; not copied: ${report.unfinished.length} ` +
      `unfinished runs, ${report.checkpointsSkipped} checkpoints, ${report.tempFilesSkipped} ` +
      `temp files`,
  );
  console.log(JSON.stringify({
    into: report.into,
    sources: report.sources,
    dryRun: values["dry-run"] ?? false,
    copied: report.copied.length,
    identical: report.identical.length,
    conflicts: report.conflicts,
    corrupt: report.corrupt,
    unfinished: report.unfinished.length,
    checkpointsSkipped: report.checkpointsSkipped,
    tempFilesSkipped: report.tempFilesSkipped,
  }));
  if (!report.ok) {
    throw new Error(
      `${report.conflicts.length + report.corrupt.length} run(s) refused (see above); the ` +
        `other runs were merged`,
    );
  }
});
