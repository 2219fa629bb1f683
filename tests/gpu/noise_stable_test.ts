import assert from "node:assert/strict";
import { mapWords } from "../helpers.ts";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { isUpperHalf, philox4x32_10, unitHalf64 } from "../../lib/rng/philox.ts";
import { fillStable, sampleStable } from "../../lib/noise/sample.ts";
import {
  exponentialFromWords,
  normalFromWords,
  positiveHalfFromWords,
  sasFromWords,
} from "../../lib/reference/stable.ts";
import { sasCdfInversion, sasCdfNolan } from "../../lib/analysis/stable_cdf.ts";
import { integrate } from "../../lib/analysis/quadrature.ts";

// GPU vs TS tolerance: both use the same Philox words, so they differ only by f32 rounding and
// the GPU's transcendental functions: |gpu − ref| ≤ REL·|ref| + ABS.
const REL = 1e-4;
const ABS = 1e-30;

function assertClose(got: number, want: number, what: string, rel = REL, abs = ABS): void {
  if (!(Math.abs(got - want) <= rel * Math.abs(want) + abs)) {
    assert.fail(`${what}: gpu ${got} vs ref ${want}`);
  }
}

/**
 * Tolerance at extreme words: the samplers sum logs of size up to about 45/index (index α for SαS,
 * α/2 for the positive law) in f32, so the GPU's error in log X grows with that size; allow a few
 * f32 ulps of it on top of REL.
 */
const extremeRel = (index: number, rel = REL) => rel + 2 ** -21 * (45 / Math.min(index, 1) + 45);

const words = (seed: number, stream: number, i: number) =>
  philox4x32_10([i, 0, 0, 0], [seed, stream]);

/** The two words of one uniform: special (hi, lo) pairs at the ends of both halves, plus a sweep. */
function extremeUniformWords(): [number, number][] {
  const his = [0, 1, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff];
  const los = [0, 1, 0x3ff, 0x400, 0xffffffff];
  const w: [number, number][] = [];
  for (const hi of his) for (const lo of los) w.push([hi, lo]);
  // One set bit at every position of R (both halves): every exponent of unit_half64.
  for (let b = 0; b < 63; b++) {
    const hi = b >= 32 ? 2 ** (b - 32) : 0;
    const lo = b < 32 ? 2 ** b : 0;
    w.push([hi, lo], [(hi | 0x80000000) >>> 0, lo]);
  }
  for (let i = 0; i <= 40; i++) {
    const hi = Math.round(i * (0xffffffff / 40)) >>> 0;
    w.push([hi, (hi * 2654435761) >>> 0]);
  }
  return w;
}

/** All combinations of extreme uniforms for u1 (words 0–1) and u2 (words 2–3). */
function extremeWordPairs(): Uint32Array {
  const w = extremeUniformWords();
  const quads = new Uint32Array(4 * w.length * w.length);
  let k = 0;
  for (const a of w) {
    for (const b of w) {
      quads.set([a[0], a[1], b[0], b[1]], k);
      k += 4;
    }
  }
  return quads;
}

const quad = (q: Uint32Array, i: number) => q.subarray(4 * i, 4 * i + 4);

Deno.test("unit_half64: GPU bit-identical to the TS twin; t in (0, ½), exponents and ends exact", async () => {
  const gpu = await Gpu.shared();
  const w = extremeUniformWords();
  const quads = new Uint32Array(4 * w.length);
  w.forEach(([hi, lo], i) => quads.set([hi, lo, 0, 0], 4 * i));
  const got = await mapWords(gpu, "map_unit_half", 0, quads);
  for (let i = 0; i < w.length; i++) {
    const [hi, lo] = w[i];
    const t = unitHalf64(hi, lo);
    assert.equal(got[i], isUpperHalf(hi) ? -t : t, `words ${hi}, ${lo}`);
    assert.ok(t > 0 && t < 0.5, `t(${hi}, ${lo}) = ${t}`);
  }
  // The ends: R = 0 gives 2^-65·(1 + 2^-23); R all ones gives 1/2 − 2^-25.
  assert.equal(unitHalf64(0, 0), 2 ** -65 * (1 + 2 ** -23));
  assert.equal(unitHalf64(0x80000000, 0), 2 ** -65 * (1 + 2 ** -23));
  assert.equal(unitHalf64(0x7fffffff, 0xffffffff), 0.5 - 2 ** -25);
  // R = 2^k lies in the octave [2^(k−65), 2^(k−64)), at the midpoint of its first cell.
  for (let k = 0; k < 63; k++) {
    const t = unitHalf64(k >= 32 ? 2 ** (k - 32) : 0, k < 32 ? 2 ** k : 0);
    assert.equal(t, 2 ** (k - 64) * (1 + 2 ** -23), `R = 2^${k}`); // bits below: cell 0
  }
  // Within an octave, the 22 bits below the leading one pick the cell: R = 2^62 + j·2^40.
  for (const j of [0, 1, 2, 12345, 2 ** 22 - 1]) {
    const hi = (0x40000000 + j * 2 ** 8) >>> 0;
    assert.equal(unitHalf64(hi, 0xffffffff), 0.25 * (1 + (2 * j + 1) * 2 ** -23));
  }
});

Deno.test("GPU SαS equals the TS twin for α ∈ {0.5, 1, 1.5, 1.75, 1.9, 2}", async () => {
  const gpu = await Gpu.shared();
  const n = 20000;
  for (const alpha of [0.5, 1, 1.5, 1.75, 1.9, 2]) {
    const x = await sampleStable(gpu, n, { kind: "sas", alpha, seed: 11, stream: 3 });
    for (let i = 0; i < n; i++) {
      assertClose(x[i], sasFromWords(alpha, words(11, 3, i)), `α=${alpha} sample ${i}`);
    }
  }
});

Deno.test("GPU positive (α/2)-stable equals the TS twin", async () => {
  const gpu = await Gpu.shared();
  const n = 20000;
  for (const alpha of [0.5, 1, 1.5, 1.75, 1.9]) {
    const x = await sampleStable(gpu, n, { kind: "positive", alpha, seed: 12, stream: 4 });
    for (let i = 0; i < n; i++) {
      assertClose(x[i], positiveHalfFromWords(alpha, words(12, 4, i)), `α=${alpha} sample ${i}`);
    }
  }
});

Deno.test("extreme and swept words: SαS finite, A > 0 finite, GPU = TS", async () => {
  const gpu = await Gpu.shared();
  const pairs = extremeWordPairs();
  const n = pairs.length / 4;
  const at = (i: number) => `words ${quad(pairs, i).join(", ")}`;
  for (const alpha of [0.1, 0.5, 1 - 1e-7, 1, 1 + 1e-7, 1.5, 1.9, 2]) {
    const x = await mapWords(gpu, "map_sas", alpha, pairs);
    for (let i = 0; i < n; i++) {
      assert.ok(Number.isFinite(x[i]), `SαS α=${alpha} ${at(i)}`);
      const ref = sasFromWords(alpha, quad(pairs, i));
      assert.ok(Number.isFinite(ref));
      assertClose(x[i], ref, `SαS α=${alpha} ${at(i)}`, extremeRel(alpha));
    }
  }
  for (const alpha of [0.1, 0.5, 1, 1.5, 1.9, 1.999]) {
    const a = await mapWords(gpu, "map_positive", alpha, pairs);
    for (let i = 0; i < n; i++) {
      const what = `A α=${alpha} ${at(i)}`;
      assert.ok(a[i] > 0 && Number.isFinite(a[i]), `${what}: ${a[i]}`);
      assertClose(a[i], positiveHalfFromWords(alpha, quad(pairs, i)), what, extremeRel(alpha / 2));
    }
  }
  const g = await mapWords(gpu, "map_normal", 0, pairs);
  const e = await mapWords(gpu, "map_exponential", 0, pairs);
  for (let i = 0; i < n; i++) {
    assert.ok(Number.isFinite(g[i]));
    const ref = normalFromWords(quad(pairs, i));
    assertClose(g[i], ref, `normal ${i}`, 1e-4, 1e-5); // cos near its zeros: absolute error
    assertClose(e[i], exponentialFromWords(quad(pairs, i)), `W ${at(i)}`, 1e-5, 0);
    assert.ok(e[i] > 0 && e[i] < 45.1, `W ${at(i)}: ${e[i]}`);
  }
});

Deno.test("α = 1 is tan V, α = 1 ± 1e-7 stays within 2e-5 of it, α = 2 is 2·sin V·√W", async () => {
  const gpu = await Gpu.shared();
  const pairs = extremeWordPairs();
  const n = pairs.length / 4;
  // |tan V| = tan(πh) = cot(πm) with m = min(u1, 1 − u1) exact and h = ½ − m: each used where
  // its argument is small (π(u1 − ½) itself loses digits near ±π/2).
  const m = (i: number) => unitHalf64(pairs[4 * i], pairs[4 * i + 1]);
  const sign = (i: number) => (isUpperHalf(pairs[4 * i]) ? 1 : -1);
  const tanV = (i: number) => {
    const h = 0.5 - m(i);
    const t = h < 0.25 ? Math.tan(Math.PI * h) : 1 / Math.tan(Math.PI * m(i));
    return sign(i) * t;
  };
  // 2·sin V·√W with |V| = π(½ − m), ½ − m exact in f64.
  const twoSinSqrtW = (i: number) =>
    2 * sign(i) * Math.sin(Math.PI * (0.5 - m(i))) *
    Math.sqrt(exponentialFromWords(quad(pairs, i)));
  // At α = 1 ± 1e-7 (f32: 1 − 1.19e-7, 1 + 1.19e-7) the exact law differs from tan V by the factor
  // (cos V)^(1 − 1/α)·W^((α−1)/α): |1 − α|·(|ln πm| + |ln W|) ≤ 1.2e-7·90 ≈ 1.1e-5 at the extremes.
  for (const [alpha, rel] of [[1, 2e-6], [1 - 1e-7, 2e-5], [1 + 1e-7, 2e-5]]) {
    const x = await mapWords(gpu, "map_sas", alpha, pairs);
    for (let i = 0; i < n; i++) {
      const ref = sasFromWords(alpha, quad(pairs, i));
      assertClose(ref, tanV(i), `TS α=${alpha} ${i}`, alpha === 1 ? 1e-12 : rel);
      assertClose(x[i], tanV(i), `GPU α=${alpha} ${i}`, extremeRel(1, rel));
    }
  }
  const x = await mapWords(gpu, "map_sas", 2, pairs);
  for (let i = 0; i < n; i++) {
    const ref = sasFromWords(2, quad(pairs, i));
    assertClose(ref, twoSinSqrtW(i), `TS α=2 ${i}`, 1e-12, 1e-300);
    assertClose(x[i], twoSinSqrtW(i), `GPU α=2 ${i}`, 1e-4, 1e-12);
  }
});

Deno.test("GPU fills ignore workgroup size and grid shape, and repeat bit for bit", async () => {
  const gpu = await Gpu.shared();
  const n = 5003;
  for (const kind of ["sas", "positive"] as const) {
    const reads: Uint32Array[] = [];
    for (const [wg, maxGroups] of [[64, undefined], [256, undefined], [32, 3], [1, 7], [64, 0]]) {
      const out = gpu.tensor([n]);
      const opts = { kind, alpha: 1.6, seed: 5, stream: 6, step: 7, workgroupSize: wg };
      fillStable(gpu, out, n, maxGroups ? { ...opts, maxGroups } : opts);
      reads.push(await out.readU32());
      out.destroy();
    }
    for (const r of reads.slice(1)) assert.deepEqual(r, reads[0]);
  }
  // Chunked sampling gives the same values as one big fill (offset = counter word 0).
  const whole = await sampleStable(gpu, 10000, { kind: "sas", alpha: 1.3, seed: 9 });
  const chunked = await sampleStable(gpu, 10000, { kind: "sas", alpha: 1.3, seed: 9, chunk: 777 });
  assert.deepEqual(chunked, whole);
});

Deno.test("sampler inputs are validated", async () => {
  const gpu = await Gpu.shared();
  const out = gpu.tensor([4]);
  const base = { kind: "sas" as const, seed: 1 };
  assert.throws(() => fillStable(gpu, out, 4, { ...base, alpha: 0 }), /alpha/);
  assert.throws(() => fillStable(gpu, out, 4, { ...base, alpha: 2.01 }), /alpha/);
  assert.throws(() => fillStable(gpu, out, 4, { ...base, alpha: NaN }), /alpha/);
  assert.throws(() => fillStable(gpu, out, 4, { kind: "positive", seed: 1, alpha: 2 }), /alpha/);
  assert.throws(
    () => fillStable(gpu, out, 4, { kind: "cauchy" as "sas", seed: 1, alpha: 1 }),
    /kind/,
  );
  assert.throws(() => fillStable(gpu, out, 5, { ...base, alpha: 1 }), /n: 5/);
  assert.throws(() => fillStable(gpu, out, 4, { ...base, alpha: 1, seed: -1 }), /seed/);
  out.destroy();
});

// ---------------------------------------------------------------------------------------------
// Distribution checks on 10^6 GPU samples (fixed seeds, so deterministic).

const N_LARGE = 1_000_000;
const cache = new Map<string, Promise<Float32Array>>();
function large(kind: "sas" | "positive", alpha: number): Promise<Float32Array> {
  const key = `${kind}:${alpha}`;
  let p = cache.get(key);
  if (!p) {
    p = Gpu.shared().then((gpu) =>
      sampleStable(gpu, N_LARGE, { kind, alpha, seed: 2024, stream: Math.round(alpha * 100) })
    );
    cache.set(key, p);
  }
  return p;
}

/** Mean of f over the samples, in f64. */
function mean(x: Float32Array, f: (v: number) => number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += f(x[i]);
  return s / x.length;
}

Deno.test("α = 2 SαS samples are N(0, 2): mean 0, variance 2", async () => {
  const x = await large("sas", 2);
  const m = mean(x, (v) => v);
  const v = mean(x, (u) => (u - m) ** 2);
  // SE(mean) = √(2/n) ≈ 0.0014, SE(var) = √(2·2²/n) ≈ 0.0028; bounds ≈ 3.5 SE.
  assert.ok(Math.abs(m) < 0.005, `mean ${m}`);
  assert.ok(Math.abs(v - 2) < 0.01, `variance ${v}`);
});

Deno.test("empirical characteristic function of SαS is exp(−|t|^α) within 3 SE", async () => {
  for (const alpha of [1.5, 1.75, 1.9]) {
    const x = await large("sas", alpha);
    const phi = (t: number) => Math.exp(-(Math.abs(t) ** alpha));
    for (const t of [0.25, 0.5, 1, 2]) {
      // Var cos(tX) = (1 + φ(2t))/2 − φ(t)², Var sin(tX) = (1 − φ(2t))/2.
      const seCos = Math.sqrt(((1 + phi(2 * t)) / 2 - phi(t) ** 2) / x.length);
      const seSin = Math.sqrt((1 - phi(2 * t)) / 2 / x.length);
      const c = mean(x, (v) => Math.cos(t * v));
      const s = mean(x, (v) => Math.sin(t * v));
      assert.ok(Math.abs(c - phi(t)) < 3 * seCos, `α=${alpha} t=${t}: Re ${c} vs ${phi(t)}`);
      assert.ok(Math.abs(s) < 3 * seSin, `α=${alpha} t=${t}: Im ${s}`);
    }
  }
});

Deno.test("positive stable: empirical Laplace transform is exp(−u^{α/2}) ± 3 SE", async () => {
  for (const alpha of [1.5, 1.75, 1.9]) {
    const a = await large("positive", alpha);
    assert.ok(a.every((v) => v > 0 && Number.isFinite(v)));
    const lt = (u: number) => Math.exp(-(u ** (alpha / 2)));
    for (const u of [0.25, 0.5, 1, 2]) {
      const se = Math.sqrt((lt(2 * u) - lt(u) ** 2) / a.length);
      const got = mean(a, (v) => Math.exp(-u * v));
      assert.ok(Math.abs(got - lt(u)) < 3 * se, `α=${alpha} u=${u}: ${got} vs ${lt(u)}`);
    }
  }
});

/**
 * F(x) = P(X ≤ x) of SαS(α, 1) at x = 0.5, 1, 2, 5, computed with `sasCdfNolan` (Nolan's integral
 * representation for β = 0, adaptive Gauss–Kronrod 7/15 in f64, tolerance 1e−13) and confirmed by
 * Gil-Pelaez inversion of exp(−|t|^α) (`sasCdfInversion`); printed to 12 digits.
 */
const STABLE_CDF: Record<string, [number, number][]> = {
  "1.5": [[0.5, 0.639404226481], [1, 0.756342024399], [2, 0.894960170345], [5, 0.979330912860]],
  "1.75": [[0.5, 0.638374177368], [1, 0.758328030094], [2, 0.909750363321], [5, 0.991419377171]],
  "1.9": [[0.5, 0.638180179083], [1, 0.759484543948], [2, 0.917036027367], [5, 0.996813156557]],
};

Deno.test("frozen CDF values agree with Nolan's integral and with Fourier inversion", () => {
  for (const [alpha, rows] of Object.entries(STABLE_CDF)) {
    for (const [x, f] of rows) {
      const nolan = sasCdfNolan(Number(alpha), x);
      const inv = sasCdfInversion(Number(alpha), x);
      assert.ok(Math.abs(nolan - f) < 1e-11, `α=${alpha} x=${x}: Nolan ${nolan} vs ${f}`);
      assert.ok(Math.abs(inv - f) < 1e-10, `α=${alpha} x=${x}: inversion ${inv} vs ${f}`);
      assert.ok(Math.abs(sasCdfNolan(Number(alpha), -x) - (1 - f)) < 1e-11);
    }
  }
  // Closed forms: α = 2 is N(0, 2), α = 1 is Cauchy.
  const phi = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));
  for (const x of [0.3, 1, 2.5, 4]) {
    assert.ok(Math.abs(sasCdfNolan(2, x) - phi(x / Math.SQRT2)) < 1e-12);
    assert.ok(Math.abs(sasCdfInversion(2, x) - phi(x / Math.SQRT2)) < 1e-10);
    assert.ok(Math.abs(sasCdfInversion(1, x) - (0.5 + Math.atan(x) / Math.PI)) < 1e-10);
  }
  // The quadrature itself.
  assert.ok(Math.abs(integrate(Math.sin, 0, Math.PI / 2) - 1) < 1e-14);
  assert.ok(Math.abs(integrate(Math.exp, 0, 1) - (Math.E - 1)) < 1e-13);
  assert.ok(Math.abs(integrate((t) => 1 / (1 + t * t), 0, 10) - Math.atan(10)) < 1e-12);
});

/** erf by its Taylor series (|z| ≤ 3 here), to ~1e−15. */
function erf(z: number): number {
  let term = z;
  let sum = z;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
    term *= (-z * z) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

Deno.test("empirical CDF of 10^6 GPU SαS samples matches the tabulated CDF ± 3 SE", async () => {
  for (const [alpha, rows] of Object.entries(STABLE_CDF)) {
    const x = await large("sas", Number(alpha));
    for (const [pt, f] of rows) {
      for (const [at, want] of [[pt, f], [-pt, 1 - f]]) {
        let below = 0;
        for (let i = 0; i < x.length; i++) if (x[i] <= at) below++;
        const got = below / x.length;
        const se = Math.sqrt((want * (1 - want)) / x.length);
        assert.ok(
          Math.abs(got - want) < 3 * se + 1e-5,
          `α=${alpha} F(${at}) = ${got} vs ${want} (SE ${se.toExponential(2)})`,
        );
      }
    }
  }
});
