/** Training-config CLI flags shared by `deno task train` and the figure scripts. */
import { choiceFlag, numberFlag, stringFlags, UsageError } from "./args.ts";
import { VGG11_DEPTH } from "../model/vgg.ts";
import { DATASETS } from "../data/dataset.ts";
import { READ_LIMITS, readTextFileBounded } from "../store/bounded_read.ts";
import { DEFAULT_CONFIG, MODELS, parseTrainConfig, type TrainConfig } from "../train/config.ts";

export const TRAIN_FLAGS = stringFlags(
  "config",
  "model",
  "dataset",
  "limit-train",
  "limit-test",
  "width",
  "depth",
  "lr",
  "batch-size",
  "eval-every",
  "max-steps",
  "convergence-accuracy",
  "noise-type",
  "alpha",
  "sigma",
  "seed",
);

export const TRAIN_USAGE = `training flags:
  --config FILE.json         start from a JSON config (flags override it)
  --model fcn|vgg11          bias-free ReLU FCN (default) or VGG11 (32×32 images, e.g. cifar10)
  --dataset NAME             ${DATASETS.join(" | ")}
  --width N --depth L        FCN width and number of linear layers (2 = one hidden layer);
                             vgg11: channels of the first conv (128 = vgg11_wide), depth 9
  --lr X --batch-size B      constant SGD step size and minibatch size
  --eval-every K             full train/test evaluation every K steps
  --max-steps S              hard cap on steps
  --convergence-accuracy P   stop when train accuracy ≥ P percent
  --noise-type 0|1|2|3       0 = SGD, 1/2/3 = heavy-tailed noise Types I/II/III (also I, II, III)
  --alpha A --sigma S        tail index in (0,2] and noise scale σ (s = σ·lr^(1/α))
  --seed N                   init, shuffling and noise seed
  --limit-train N --limit-test N   keep only the first N examples`;

const NOISE_NAMES: Record<string, 0 | 1 | 2 | 3> = {
  "0": 0,
  "1": 1,
  "2": 2,
  "3": 3,
  I: 1,
  II: 2,
  III: 3,
};

type Values = { [K in keyof typeof TRAIN_FLAGS]?: string };

/** Builds and validates a TrainConfig from parsed flag values. */
export async function configFromFlags(
  v: Values,
  base: TrainConfig = DEFAULT_CONFIG,
): Promise<TrainConfig> {
  let cfg: Record<string, unknown> = structuredClone(base);
  if (v.config !== undefined) {
    let text: string;
    try {
      text = await readTextFileBounded(v.config, READ_LIMITS.text, "--config");
    } catch (err) {
      throw new UsageError(`--config: cannot read ${v.config}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--config: ${v.config} is not valid JSON: ${(err as Error).message}`);
    }
    // Spreading true, null, 42 or "x" adds nothing (an array adds "0", "1", …): refuse them.
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      const what = json === null ? "null" : Array.isArray(json) ? "an array" : typeof json;
      throw new UsageError(
        `--config: ${v.config} holds ${what}; it must hold a JSON object of config fields`,
      );
    }
    cfg = { ...cfg, ...json };
  }
  const set = (key: string, value: unknown) => {
    if (value !== undefined) cfg[key] = value;
  };
  const model = choiceFlag("model", v.model, MODELS);
  set("model", model);
  if (model === "vgg11" && v.depth === undefined) cfg.depth = VGG11_DEPTH;
  set("dataset", choiceFlag("dataset", v.dataset, DATASETS));
  set("limitTrain", numberFlag("limit-train", v["limit-train"], { integer: true, min: 1 }));
  set("limitTest", numberFlag("limit-test", v["limit-test"], { integer: true, min: 1 }));
  set("width", numberFlag("width", v.width, { integer: true, min: 1 }));
  set("depth", numberFlag("depth", v.depth, { integer: true, min: 2 }));
  set("lr", numberFlag("lr", v.lr, { min: 0, exclusiveMin: true }));
  set("batchSize", numberFlag("batch-size", v["batch-size"], { integer: true, min: 1 }));
  set("evalEvery", numberFlag("eval-every", v["eval-every"], { integer: true, min: 1 }));
  set("maxSteps", numberFlag("max-steps", v["max-steps"], { integer: true, min: 1 }));
  set(
    "convergenceAccuracy",
    numberFlag("convergence-accuracy", v["convergence-accuracy"], { min: 0, max: 100 }),
  );
  set("seed", numberFlag("seed", v.seed, { integer: true, min: 0, max: 0xffffffff }));
  const noise = { ...(cfg.noise as object) } as Record<string, unknown>;
  if (v["noise-type"] !== undefined) {
    const t = Object.hasOwn(NOISE_NAMES, v["noise-type"])
      ? NOISE_NAMES[v["noise-type"]]
      : undefined;
    if (t === undefined) {
      throw new UsageError(
        `--noise-type: "${v["noise-type"]}" is not one of 0, 1, 2, 3, I, II, III`,
      );
    }
    noise.type = t;
  }
  const alpha = numberFlag("alpha", v.alpha);
  if (alpha !== undefined && !(alpha > 0 && alpha <= 2)) {
    throw new UsageError(`--alpha: ${alpha} must be in (0, 2]`);
  }
  if (alpha !== undefined) noise.alpha = alpha;
  const sigma = numberFlag("sigma", v.sigma, { min: 0 });
  if (sigma !== undefined) noise.sigma = sigma;
  cfg.noise = noise;
  try {
    return parseTrainConfig(cfg);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
