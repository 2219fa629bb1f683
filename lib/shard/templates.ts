/**
 * Job templates that run a sharded sweep on a cluster: a SLURM job array and a Kubernetes
 * Indexed Job. Both run the same command in every task,
 *
 *   <deno> run -A scripts/sweep.ts --grid <grid> --shard <index>/<N> --store <store>[/shard-<index>]
 *
 * with the index from $SLURM_ARRAY_TASK_ID (`--array=0-(N-1)`) or $JOB_COMPLETION_INDEX
 * (`completionMode: Indexed`, `completions: N`), both 0-based like `--shard`. By default every
 * shard writes its own store (`<store>/shard-<index>`), so tasks never share files, a retried task
 * finds its own checkpoints, and `deno task merge -- --into <store> <store>/shard-*` checks the
 * results for conflicts as it combines them. Failed tasks are retried (SLURM `--requeue`,
 * Kubernetes `backoffLimitPerIndex`): finished runs are loaded, interrupted ones resume.
 */
import { z } from "zod";

/** Invalid template parameters; the message names each bad field. */
export class TemplateError extends Error {
  constructor(template: string, detail: string) {
    super(`${template} template: ${detail}`);
    this.name = "TemplateError";
  }
}

/**
 * One line of text: no control characters and none of the other line breaks (U+0085 NEL, U+2028,
 * U+2029) that YAML, editors or terminals treat as a new line (a path holding one would break out
 * of a comment in the rendered templates).
 */
// deno-lint-ignore no-control-regex -- control characters are what it rejects
const SAFE_TEXT = /^[^\0-\x1f\x7f\u0085\u2028\u2029]+$/;
const PathText = z.string().min(1).regex(SAFE_TEXT, "must be one line of text");

const CommonSchema = z.object({
  /** Number of shards N (array tasks / completions). */
  shards: z.number().int().min(1).max(10_000),
  /** Grid file, relative to `workdir` or absolute. */
  grid: PathText,
  /** Results store; each shard writes `<store>/shard-<index>` unless `sharedStore`. */
  store: PathText,
  /** All shards write into `store` itself (needs a shared file system that renames atomically). */
  sharedStore: z.boolean().default(false),
  /** The deno executable. */
  deno: PathText.default("deno"),
  /** Extra sweep flags, e.g. ["--checkpoint-every", "200"]. */
  extraArgs: z.array(PathText).default([]),
  jobName: z.string().regex(
    /^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/,
    "lower-case letters, digits and '-', 1-52 characters, starting and ending alphanumeric",
  ).default("htsgd-sweep"),
});

export const SlurmParamsSchema = CommonSchema.extend({
  /** The project checkout on the cluster (shared file system). */
  workdir: PathText,
  /** Wall-clock limit per task, [D-]HH:MM:SS. */
  time: z.string().regex(/^(\d+-)?\d{1,3}:\d{2}:\d{2}$/, "must be [D-]HH:MM:SS").default(
    "04:00:00",
  ),
  partition: z.string().regex(/^[A-Za-z0-9_.,-]+$/, "letters, digits, '_', '.', ',' or '-'")
    .optional(),
  gpusPerTask: z.number().int().min(0).max(16).default(1),
  cpusPerTask: z.number().int().min(1).max(256).default(4),
  memory: z.string().regex(/^\d+[KMGT]?$/, "e.g. 16G").default("16G"),
  /** At most this many tasks at once (`--array=0-(N-1)%K`). */
  maxParallel: z.number().int().min(1).optional(),
  /**
   * Folder for the per-task logs (relative to workdir). It goes into `#SBATCH --output=`, which
   * SLURM reads without a shell, so only plain path characters are accepted.
   */
  logDir: z.string().regex(
    /^[A-Za-z0-9_.\/+-]+$/,
    "letters, digits, '_', '.', '/', '+' or '-' only (it goes into #SBATCH --output=)",
  ).default("logs"),
}).strict();

export const K8sParamsSchema = CommonSchema.extend({
  /** Container image holding deno, the project (at workdir) and a Vulkan driver. */
  image: z.string().regex(/^[^\s]+$/, "must not contain spaces").min(1),
  /** The project's folder inside the image. */
  workdir: PathText.default("/app"),
  /** Pods at once (default: all shards). */
  parallelism: z.number().int().min(1).optional(),
  /** Retries of each index before it counts as failed. */
  backoffLimitPerIndex: z.number().int().min(0).max(100).default(3),
  gpusPerPod: z.number().int().min(0).max(16).default(1),
  cpu: z.string().regex(/^\d+(m|\.\d+)?$/, "e.g. 4 or 500m").default("4"),
  memory: z.string().regex(/^\d+(Ki|Mi|Gi|Ti|K|M|G|T)?$/, "e.g. 16Gi").default("16Gi"),
  /** PersistentVolumeClaim mounted at `mountPath`, holding the store (and the grid). */
  pvc: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a DNS-1123 name").default(
    "htsgd-results",
  ),
  mountPath: PathText.default("/results"),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS-1123 label").optional(),
}).strict();

export type SlurmParams = z.input<typeof SlurmParamsSchema>;
export type K8sParams = z.input<typeof K8sParamsSchema>;

function validate<S extends z.ZodType>(schema: S, params: unknown, template: string): z.output<S> {
  const result = schema.safeParse(params);
  if (!result.success) {
    const lines = result.error.issues.map((i) =>
      `  ${i.path.map(String).join(".") || "(root)"}: ${
        i.message.replace(/^Invalid input: expected \w+, received undefined$/, "required")
      }`
    );
    throw new TemplateError(template, `invalid parameters:\n${lines.join("\n")}`);
  }
  return result.data;
}

/**
 * The sweep command as argv, with `index` standing for the shard index (a shell or Kubernetes
 * variable reference) — the same in every template.
 */
export function sweepArgv(
  p: { shards: number; grid: string; store: string; sharedStore: boolean; extraArgs: string[] },
  index: string,
): string[] {
  const store = p.sharedStore ? p.store : `${p.store.replace(/\/+$/, "")}/shard-${index}`;
  return [
    "run",
    "-A",
    "scripts/sweep.ts",
    "--grid",
    p.grid,
    "--shard",
    `${index}/${p.shards}`,
    "--store",
    store,
    ...p.extraArgs,
  ];
}

/** Single-quotes a word for sh unless it is plainly safe; `$VAR` references go in "…". */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  if (word.includes("${")) {
    // Only our own ${VAR} references are expanded; escape everything else sh would interpret.
    return `"${word.replace(/["\\`]/g, "\\$&").replace(/\$(?!\{[A-Z_]+\})/g, "\\$")}"`;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Single-quotes a word for sh unless it is plainly safe; nothing in it is ever expanded. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The merge command of the hint comments, every path quoted (the shard glob left to sh). */
function mergeHint(deno: string, store: string): string {
  const base = store.replace(/\/+$/, "");
  return `${shellQuote(deno)} run -A scripts/merge.ts --into ${shellQuote(store)} ` +
    `${shellQuote(base)}/shard-*`;
}

/** A SLURM batch script running the sweep as a job array of N tasks. */
export function renderSlurm(params: SlurmParams): string {
  const p = validate(SlurmParamsSchema, params, "slurm");
  const range = `0-${p.shards - 1}${p.maxParallel ? `%${p.maxParallel}` : ""}`;
  const argv = [p.deno, ...sweepArgv(p, "${SLURM_ARRAY_TASK_ID}")];
  const lines = [
    "#!/bin/bash",
    `# Sharded htsgd sweep: ${p.shards} array tasks, task k runs shard k/${p.shards} of ${p.grid}.`,
    "# Rendered by lib/shard/templates.ts (deno task deploy:render). Submit from the project",
    `# folder (log paths are relative to it): mkdir -p ${
      shellQuote(p.logDir)
    } && sbatch <this file>`,
    `#SBATCH --job-name=${p.jobName}`,
    `#SBATCH --array=${range}`,
    `#SBATCH --time=${p.time}`,
    ...(p.partition ? [`#SBATCH --partition=${p.partition}`] : []),
    ...(p.gpusPerTask > 0 ? [`#SBATCH --gres=gpu:${p.gpusPerTask}`] : []),
    `#SBATCH --cpus-per-task=${p.cpusPerTask}`,
    `#SBATCH --mem=${p.memory}`,
    `#SBATCH --output=${p.logDir}/%x-%A_%a.out`,
    "#SBATCH --requeue",
    "set -euo pipefail",
    `cd ${shellWord(p.workdir)}`,
    "# A rerun (requeue, or sbatch --array=<k> <this file> for a failed task k) loads finished",
    "# runs and resumes interrupted ones from their checkpoints.",
    `exec ${argv.map(shellWord).join(" ")}`,
    ...(p.sharedStore ? [] : [
      "# When every task has finished, combine the shards' stores (refuses conflicting runs):",
      `#   ${mergeHint(p.deno, p.store)}`,
    ]),
  ];
  return lines.join("\n") + "\n";
}

/** The Kubernetes Indexed Job as an object (what renderK8s writes as YAML). */
export function k8sJobManifest(params: K8sParams): Record<string, unknown> {
  const p = validate(K8sParamsSchema, params, "k8s");
  const storeIsAbsolute = p.store.startsWith("/");
  const store = storeIsAbsolute ? p.store : `${p.mountPath.replace(/\/+$/, "")}/${p.store}`;
  const args = sweepArgv({ ...p, store }, "$(JOB_COMPLETION_INDEX)");
  const resources: Record<string, Record<string, string | number>> = {
    requests: { cpu: p.cpu, memory: p.memory },
    limits: { memory: p.memory },
  };
  if (p.gpusPerPod > 0) resources.limits["nvidia.com/gpu"] = p.gpusPerPod;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: p.jobName, ...(p.namespace ? { namespace: p.namespace } : {}) },
    spec: {
      completionMode: "Indexed",
      completions: p.shards,
      parallelism: Math.min(p.parallelism ?? p.shards, p.shards),
      backoffLimitPerIndex: p.backoffLimitPerIndex,
      template: {
        metadata: { labels: { app: p.jobName } },
        spec: {
          restartPolicy: "Never",
          containers: [{
            name: "sweep",
            image: p.image,
            workingDir: p.workdir,
            command: [p.deno],
            args,
            env: [{
              // Set by the Job controller too; declared here so $(JOB_COMPLETION_INDEX) in args
              // refers to a variable of this container.
              name: "JOB_COMPLETION_INDEX",
              valueFrom: {
                fieldRef: {
                  fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                },
              },
            }],
            resources,
            volumeMounts: [{ name: "results", mountPath: p.mountPath }],
          }],
          volumes: [{ name: "results", persistentVolumeClaim: { claimName: p.pvc } }],
        },
      },
    },
  };
}

/** The Kubernetes Indexed Job as YAML. */
export function renderK8s(params: K8sParams): string {
  const manifest = k8sJobManifest(params);
  const p = K8sParamsSchema.parse(params);
  const store = p.store.startsWith("/") ? p.store : `${p.mountPath.replace(/\/+$/, "")}/${p.store}`;
  const header = [
    `# Sharded htsgd sweep: an Indexed Job of ${p.shards} completions; pod k runs shard k/${p.shards}.`,
    "# Rendered by lib/shard/templates.ts (deno task deploy:render); kubectl apply -f <this file>.",
    "# Failed pods are retried per index; finished runs are loaded and interrupted ones resume.",
    ...(p.sharedStore ? [] : [
      "# When the Job completes, combine the shards' stores (refuses conflicting runs):",
      `#   ${mergeHint(p.deno, store)}`,
    ]),
  ];
  return `${header.join("\n")}\n${toYaml(manifest)}`;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;

function yamlScalar(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v); // JSON strings are YAML double-quoted
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`YAML: non-finite number ${v}`);
    return String(v);
  }
  if (typeof v === "boolean" || v === null) return String(v);
  throw new TypeError(`YAML: cannot write a ${typeof v}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function yamlKey(k: string): string {
  return PLAIN_KEY.test(k) ? k : JSON.stringify(k);
}

/**
 * Block-style YAML of JSON-like data: maps and lists nest by two spaces, every string is a
 * double-quoted JSON string, numbers, booleans and null are plain; empty maps and lists are
 * written `{}` and `[]`. (A small, fixed subset: no anchors, tags or multi-line scalars.)
 */
export function toYaml(value: unknown, indent = 0): string {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value.map((item) => {
      if ((isObject(item) && Object.keys(item).length) || (Array.isArray(item) && item.length)) {
        const body = toYaml(item, indent + 2);
        return `${pad}- ${body.slice(indent + 2)}`;
      }
      return `${pad}- ${emptyOrScalar(item)}\n`;
    }).join("");
  }
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries.map(([k, v]) => {
      if ((isObject(v) && Object.keys(v).length) || (Array.isArray(v) && v.length)) {
        return `${pad}${yamlKey(k)}:\n${toYaml(v, indent + 2)}`;
      }
      return `${pad}${yamlKey(k)}: ${emptyOrScalar(v)}\n`;
    }).join("");
  }
  return `${pad}${yamlScalar(value)}\n`;
}

function emptyOrScalar(v: unknown): string {
  if (Array.isArray(v)) return "[]";
  if (isObject(v)) return "{}";
  return yamlScalar(v);
}

/** The parameters of the checked-in examples in deploy/ (regenerate: deploy:render --examples). */
export const EXAMPLE_SLURM: SlurmParams = {
  shards: 8,
  grid: "deploy/grid.example.json",
  store: "results/sweep",
  workdir: "${HOME}/htsgd",
  deno: "./node_modules/.bin/deno",
  time: "04:00:00",
  gpusPerTask: 1,
  cpusPerTask: 4,
  memory: "16G",
  maxParallel: 4,
  extraArgs: ["--checkpoint-every", "200", "--quiet"],
};

export const EXAMPLE_K8S: K8sParams = {
  shards: 8,
  grid: "deploy/grid.example.json",
  store: "sweep",
  image: "registry.example.org/htsgd:latest",
  workdir: "/app",
  deno: "./node_modules/.bin/deno",
  parallelism: 4,
  extraArgs: ["--checkpoint-every", "200", "--quiet"],
};

export const EXAMPLE_FILES = {
  slurm: "deploy/sweep.slurm.sh",
  k8s: "deploy/sweep.k8s.yaml",
} as const;
