/**
 * The one noise schema (lib/noise/spec.ts): a training config's noise and a noise spec refuse
 * every setting that either of the two former validators refused (the zod schema of
 * lib/train/config.ts with its Type III check, and the hand-written validateNoiseSpec), with a
 * message naming the field and the value.
 */
import assert from "node:assert/strict";
import { validateNoiseSpec } from "../../lib/noise/spec.ts";
import { parseTrainConfig } from "../../lib/train/config.ts";

const BASE = {
  dataset: "synthetic",
  width: 8,
  depth: 2,
  lr: 0.1,
  batchSize: 10,
  evalEvery: 5,
  maxSteps: 10,
  convergenceAccuracy: 100,
  seed: 1,
};

/** Refused by both former validators: [noise, the message both new ones give]. */
const REFUSED: [unknown, RegExp][] = [
  [{ type: 4, alpha: 1.5, sigma: 1 }, /noise\.type: 4 is not one of 0 \(none\), 1, 2, 3/],
  [{ type: "II", alpha: 1.5, sigma: 1 }, /noise\.type: "II" is not one of/],
  [{ type: 1.5, alpha: 1.5, sigma: 1 }, /noise\.type: 1\.5 is not one of/],
  [{ alpha: 1.5, sigma: 1 }, /noise\.type: undefined is not one of/],
  [{ type: 1, alpha: 0, sigma: 1 }, /noise\.alpha: 0 must be in \(0, 2\]/],
  [{ type: 1, alpha: -1, sigma: 1 }, /noise\.alpha: -1 must be in \(0, 2\]/],
  [{ type: 1, alpha: 2.5, sigma: 1 }, /noise\.alpha: 2\.5 must be in \(0, 2\]/],
  [{ type: 1, alpha: NaN, sigma: 1 }, /noise\.alpha: NaN must be in/],
  [{ type: 1, alpha: Infinity, sigma: 1 }, /noise\.alpha: Infinity must be in/],
  [{ type: 1, alpha: "1.5", sigma: 1 }, /noise\.alpha: "1\.5" must be in/],
  [{ type: 1, sigma: 1 }, /noise\.alpha: undefined must be in/],
  [{ type: 1, alpha: 1.5, sigma: -1 }, /noise\.sigma: -1 must be a finite number ≥ 0/],
  [{ type: 1, alpha: 1.5, sigma: Infinity }, /noise\.sigma: Infinity must be a finite number/],
  [{ type: 1, alpha: 1.5, sigma: NaN }, /noise\.sigma: NaN must be a finite number/],
  [{ type: 1, alpha: 1.5 }, /noise\.sigma: undefined must be a finite number/],
  [{ type: 3, alpha: 2, sigma: 1 }, /noise\.alpha: Type III needs α < 2/],
];

function configError(noise: unknown): Error {
  try {
    parseTrainConfig({ ...BASE, noise });
  } catch (err) {
    return err as Error;
  }
  throw new Error(`config noise ${JSON.stringify(noise)} was accepted`);
}

Deno.test("one noise schema: config and spec refuse what both former validators refused", () => {
  for (const [noise, message] of REFUSED) {
    const err = configError(noise);
    assert.match(err.message, /^invalid training config:\n {2}noise\./, String(err.message));
    assert.match(err.message, message);
    assert.throws(() => validateNoiseSpec(noise), message);
  }
  for (const bad of [null, "x", 5]) {
    assert.throws(() => validateNoiseSpec(bad), /noise spec must be an object/);
    assert.match(configError(bad).message, /noise: /);
  }
});

Deno.test("one noise schema: what each side accepted it still accepts, canonically", () => {
  for (const type of [0, 1, 2, 3] as const) {
    const noise = { type, alpha: 1.5, sigma: 0.25 };
    assert.deepEqual(validateNoiseSpec(noise), noise);
    const cfg = parseTrainConfig({ ...BASE, noise });
    assert.deepEqual(cfg.noise, type === 0 ? { type: 0, alpha: 2, sigma: 0 } : noise);
  }
  // The spec keeps the α = 2 convention of Type I and drops unknown fields ...
  assert.deepEqual(
    validateNoiseSpec({ type: 1, alpha: 2, sigma: 1, alpha2Convention: "authors", x: 1 }),
    { type: 1, alpha: 2, sigma: 1, alpha2Convention: "authors" },
  );
  assert.throws(
    () => validateNoiseSpec({ type: 1, alpha: 2, sigma: 1, alpha2Convention: "scipy" }),
    /noise\.alpha2Convention: "scipy" is not "cms" or "authors"/,
  );
  // ... while a config's noise is exactly the hashed fields: nothing else.
  for (const extra of [{ alpha2Convention: "authors" }, { scale: 1 }]) {
    assert.match(
      configError({ type: 1, alpha: 2, sigma: 1, ...extra }).message,
      /noise: Unrecognized key/,
    );
  }
});
