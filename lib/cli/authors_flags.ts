/**
 * The flag names of the authors' `main.py` (2306.08125) as aliases of ours, so their command lines
 * run as written. `translateAuthorsFlags` rewrites an argument list before strict parsing:
 *
 *   --iterate_noise 0|1|2|3       → --noise-type (0 = none/SGD, 1/2/3 = Types I/II/III)
 *   --iterate_noise_scale σ        → --sigma
 *   --iterate_noise_alpha α        → --alpha
 *   --batch_size_train B           → --batch-size
 *   --eval_freq K                  → --eval-every
 *   --convergence_accuracy P       → --convergence-accuracy
 *   --iterations N                 → --max-steps
 *   --model vgg11_wide             → --model vgg11 --width 128
 *   --iterate_noise_filter [bool]  accepted: htsgd's VGG Type I noise is always one scalar per
 *                                  filter (their flag's effect); without it their VGG Type I is
 *                                  per 3×3 kernel, which htsgd does not implement (a note says so)
 *
 * Flags that only restate htsgd's fixed behaviour are accepted when they hold that value
 * (`--mom 0`, `--wd 0`, `--criterion NLL`, `--batch_size_eval` (evaluation covers the full sets
 * either way), `--iterate_noise_lr_rescaling True`, `--convergence_loss inf`, `--convergence_method
 * custom`, `--data_scale 1`); any other value
 * is a usage error. Their `--alpha` (an lr-decay schedule) has no counterpart and clashes with
 * our `--alpha` (the tail index), so it is not translated.
 */
import { UsageError } from "./args.ts";

const RENAMES: Record<string, string> = {
  iterate_noise: "noise-type",
  iterate_noise_scale: "sigma",
  iterate_noise_alpha: "alpha",
  batch_size_train: "batch-size",
  eval_freq: "eval-every",
  convergence_accuracy: "convergence-accuracy",
  iterations: "max-steps",
};

/** Flags accepted only with the value htsgd always uses (a test of the value). */
const FIXED: Record<string, { ok: (v: string) => boolean; meaning: string }> = {
  mom: { ok: (v) => Number(v) === 0, meaning: "htsgd's SGD has no momentum (use 0)" },
  wd: { ok: (v) => Number(v) === 0, meaning: "htsgd has no weight decay (use 0)" },
  criterion: { ok: (v) => v === "NLL", meaning: "htsgd trains with cross-entropy (NLL)" },
  batch_size_eval: {
    ok: (v) => Number.isInteger(Number(v)) && Number(v) > 0,
    meaning: "a positive integer (htsgd evaluates the full sets either way)",
  },
  iterate_noise_lr_rescaling: {
    ok: (v) => /^(true|1)$/i.test(v),
    meaning: "htsgd always scales the noise by lr^(1/α)",
  },
  convergence_method: {
    ok: (v) => v === "custom",
    meaning: "htsgd's stopping rule is their 'custom' one (train accuracy ≥ P at an evaluation)",
  },
  data_scale: { ok: (v) => Number(v) === 1, meaning: "htsgd does not rescale the data (use 1)" },
  convergence_loss: {
    ok: (v) => /^\+?inf(inity)?$/i.test(v),
    meaning: "htsgd stops on train accuracy only (their default, inf)",
  },
};

const BOOLEAN_VALUE = /^(true|false|1|0)$/i;

export interface TranslatedArgs {
  args: string[];
  /** Remarks on the translation (for stderr). */
  notes: string[];
}

/** Rewrites the authors' flags in `args` to htsgd's; other arguments pass through unchanged. */
export function translateAuthorsFlags(args: string[]): TranslatedArgs {
  const out: string[] = [];
  const notes: string[] = [];
  let filter: boolean | undefined;
  let typeOne = false; // Type I noise asked for
  let sawVgg = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--([a-z_0-9]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      out.push(arg);
      continue;
    }
    const [, name, inline] = m;
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      return next;
    };
    if (name === "iterate_noise_filter") {
      let value = "true";
      if (inline !== undefined) value = inline;
      else if (args[i + 1] !== undefined && BOOLEAN_VALUE.test(args[i + 1])) value = args[++i];
      if (!BOOLEAN_VALUE.test(value)) {
        throw new UsageError(`--iterate_noise_filter: "${value}" is not True or False`);
      }
      filter = /^(true|1)$/i.test(value);
      continue;
    }
    if (name === "model") {
      const value = takeValue();
      if (value === "vgg11_wide") {
        out.push("--model", "vgg11", "--width", "128");
        notes.push("--model vgg11_wide → --model vgg11 --width 128");
        sawVgg = true;
      } else {
        out.push("--model", value);
        sawVgg ||= value === "vgg11";
      }
      continue;
    }
    if (Object.hasOwn(RENAMES, name)) {
      const value = takeValue();
      if (name === "iterate_noise" && value === "1") typeOne = true;
      out.push(`--${RENAMES[name]}`, value);
      continue;
    }
    if (Object.hasOwn(FIXED, name)) {
      const value = takeValue();
      if (!FIXED[name].ok(value)) {
        throw new UsageError(`--${name} ${value}: not supported; ${FIXED[name].meaning}`);
      }
      notes.push(`--${name} ${value} accepted (${FIXED[name].meaning})`);
      continue;
    }
    out.push(arg);
  }
  const alphaAt = out.indexOf("--alpha");
  if (typeOne && alphaAt >= 0 && Number(out[alphaAt + 1]) === 2) {
    notes.push(
      "at α = 2 the authors' Type I adds N(0, 1) per unit; htsgd adds SαS(1) at α = 2, i.e. " +
        "N(0, 2) (twice their variance; see README, Conventions)",
    );
  }
  if (sawVgg && typeOne && filter !== true) {
    notes.push(
      "without --iterate_noise_filter the authors' VGG Type I noise is one scalar per 3×3 " +
        "kernel; htsgd always draws one per filter (the paper's CIFAR-10 setting)",
    );
  }
  return { args: out, notes };
}
