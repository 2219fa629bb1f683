/**
 * deno task deploy:render -- slurm|k8s --shards N --grid FILE --store DIR [flags]: prints a SLURM
 * job-array script or a Kubernetes Indexed Job that runs `scripts/sweep.ts --shard k/N` in N
 * tasks (lib/shard/templates.ts). `--params FILE.json` supplies any template parameter (flags
 * override it); `--examples` rewrites the checked-in examples in deploy/.
 */
import { numberFlag, parseFlags, runMain, stringFlags, UsageError } from "../lib/cli/args.ts";
import { writeFileAtomic } from "../lib/store/atomic.ts";
import { READ_LIMITS, readTextFileBounded } from "../lib/store/bounded_read.ts";
import {
  EXAMPLE_FILES,
  EXAMPLE_K8S,
  EXAMPLE_SLURM,
  renderK8s,
  renderSlurm,
} from "../lib/shard/templates.ts";
import { setInterruptMessage } from "../lib/interrupt.ts";

const USAGE =
  `usage: npx deno task deploy:render -- slurm|k8s --shards N --grid FILE --store DIR [flags]
  --params FILE.json      template parameters as JSON (see lib/shard/templates.ts); flags override
  --workdir DIR           project checkout on the cluster (slurm; k8s default /app in the image)
  --image IMAGE           container image (k8s)
  --job-name NAME         job name (default htsgd-sweep)
  --deno PATH             deno executable (default deno)
  --max-parallel K        tasks/pods at once
  --gpus G                GPUs per task/pod (default 1)
  --time D-HH:MM:SS       time limit per task (slurm)     --partition P   (slurm)
  --pvc NAME              volume claim holding the store (k8s; default htsgd-results)
  --shared-store          all shards write into --store itself instead of --store/shard-<k>
  --out FILE              write to FILE instead of stdout
  --examples              rewrite ${EXAMPLE_FILES.slurm} and ${EXAMPLE_FILES.k8s}`;

setInterruptMessage(
  "interrupted: nothing was rendered into place; rerun to render",
);
runMain(async () => {
  const { values, positionals } = parseFlags(Deno.args.filter((a) => a !== "--"), {
    ...stringFlags(
      "params",
      "shards",
      "grid",
      "store",
      "workdir",
      "image",
      "job-name",
      "deno",
      "max-parallel",
      "gpus",
      "time",
      "partition",
      "pvc",
      "out",
    ),
    "shared-store": { type: "boolean" },
    examples: { type: "boolean" },
  }, USAGE);
  if (values.examples) {
    await writeFileAtomic(EXAMPLE_FILES.slurm, renderSlurm(EXAMPLE_SLURM));
    await writeFileAtomic(EXAMPLE_FILES.k8s, renderK8s(EXAMPLE_K8S));
    console.error(`wrote ${EXAMPLE_FILES.slurm} and ${EXAMPLE_FILES.k8s}`);
    return;
  }
  const target = positionals[0];
  if (positionals.length !== 1 || (target !== "slurm" && target !== "k8s")) {
    throw new UsageError(`give the target: slurm or k8s\n${USAGE}`);
  }
  let params: Record<string, unknown> = {};
  if (values.params !== undefined) {
    try {
      params = JSON.parse(await readTextFileBounded(values.params, READ_LIMITS.text, "--params"));
    } catch (err) {
      throw new UsageError(`--params: cannot read ${values.params}: ${(err as Error).message}`);
    }
    if (params === null || typeof params !== "object" || Array.isArray(params)) {
      throw new UsageError(`--params: ${values.params} must hold a JSON object`);
    }
  }
  const set = (key: string, v: unknown) => {
    if (v !== undefined) params[key] = v;
  };
  set("shards", numberFlag("shards", values.shards, { integer: true, min: 1 }));
  set("grid", values.grid);
  set("store", values.store);
  set("workdir", values.workdir);
  set("image", values.image);
  set("jobName", values["job-name"]);
  set("deno", values.deno);
  set(
    target === "slurm" ? "maxParallel" : "parallelism",
    numberFlag("max-parallel", values["max-parallel"], { integer: true, min: 1 }),
  );
  set(
    target === "slurm" ? "gpusPerTask" : "gpusPerPod",
    numberFlag("gpus", values.gpus, { integer: true, min: 0 }),
  );
  set("time", values.time);
  set("partition", values.partition);
  set("pvc", values.pvc);
  set("sharedStore", values["shared-store"]);
  let text: string;
  try {
    text = target === "slurm" ? renderSlurm(params as never) : renderK8s(params as never);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.out !== undefined) await writeFileAtomic(values.out, text);
  else console.log(text.trimEnd());
});
