import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { exponential, normalPair, philox4x32_10, unitFloat } from "../../lib/rng/philox.ts";
import { rngFill } from "../../lib/rng/gpu.ts";

const hex = (w: number[]) => w.map((v) => v.toString(16).padStart(8, "0")).join(" ");

Deno.test("philox4x32-10 matches Random123 known-answer vectors", () => {
  // kat_vectors from the Random123 distribution (philox4x32 10 rounds).
  assert.equal(hex(philox4x32_10([0, 0, 0, 0], [0, 0])), "6627e8d5 e169c58d bc57ac4c 9b00dbd8");
  assert.equal(
    hex(philox4x32_10([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])),
    "408f276d 41c83b0e a20bc7c6 6d5451fd",
  );
  assert.equal(
    hex(philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])),
    "d16cfe09 94fdcceb 5001e420 24126ea1",
  );
});

Deno.test("unit floats stay inside (0,1) at the extremes and are exact in f32", () => {
  for (const u of [0, 1, 511, 512, 0x7fffffff, 0xfffffe00, 0xffffffff]) {
    const f = unitFloat(u);
    assert.ok(f > 0 && f < 1, `unitFloat(${u}) = ${f}`);
    assert.equal(Math.fround(f), f);
  }
  assert.equal(unitFloat(0), 2 ** -24);
  assert.equal(unitFloat(0xffffffff), 1 - 2 ** -24);
});

Deno.test("GPU philox bits equal the TypeScript twin on many counters", async () => {
  const gpu = await Gpu.shared();
  const n = 4096;
  const out = gpu.tensor([4 * n], "u32");
  const seed = 0xdeadbeef;
  const stream = 7;
  const step = 123456;
  const offset = 0xfffff000; // crosses the 2^32 wrap of counter word 0
  rngFill(gpu, "bits", out, n, { seed, stream, step, offset });
  const got = await out.readU32();
  for (let i = 0; i < n; i++) {
    const want = philox4x32_10([(offset + i) >>> 0, step, 0, 0], [seed, stream]);
    for (let j = 0; j < 4; j++) {
      if (got[4 * i + j] !== want[j]) {
        assert.fail(`element ${i} word ${j}: ${got[4 * i + j]} != ${want[j]}`);
      }
    }
  }
  out.destroy();
});

Deno.test("GPU draws do not depend on workgroup size or grid shape", async () => {
  const gpu = await Gpu.shared();
  const n = 5000;
  const reads: Uint32Array[] = [];
  for (const [wg, maxGroups] of [[64, undefined], [256, undefined], [32, 3], [1, 7]] as const) {
    const out = gpu.tensor([n], "u32");
    rngFill(gpu, "normal", out, n, { seed: 1, stream: 2, step: 3, workgroupSize: wg, maxGroups });
    reads.push(await out.readU32());
    out.destroy();
  }
  for (const r of reads.slice(1)) assert.deepEqual(r, reads[0]);
});

Deno.test("GPU uniforms are bit-exact; normals and exponentials match the reference", async () => {
  const gpu = await Gpu.shared();
  const n = 2000;
  const opts = { seed: 42, stream: 9, step: 5 };
  const words = (i: number) => philox4x32_10([i, 5, 0, 0], [42, 9]);
  const read = async (kind: "uniform" | "normal" | "exponential") => {
    const out = gpu.tensor([n]);
    rngFill(gpu, kind, out, n, opts);
    const v = await out.read();
    out.destroy();
    return v;
  };
  const u = await read("uniform");
  const z = await read("normal");
  const e = await read("exponential");
  for (let i = 0; i < n; i++) {
    const w = words(i);
    assert.equal(u[i], unitFloat(w[0]));
    const zr = normalPair(w[0], w[1])[0];
    assert.ok(Math.abs(z[i] - zr) <= 2e-5 * (1 + Math.abs(zr)), `normal ${i}: ${z[i]} vs ${zr}`);
    const er = exponential(w[0]);
    assert.ok(Math.abs(e[i] - er) <= 2e-5 * (1 + er), `exp ${i}: ${e[i]} vs ${er}`);
  }
});

Deno.test("10^6 GPU uniforms pass a chi-square test on 1000 bins", async () => {
  const gpu = await Gpu.shared();
  const n = 1_000_000;
  const out = gpu.tensor([n]);
  rngFill(gpu, "uniform", out, n, { seed: 2024, stream: 0 });
  const u = await out.read();
  out.destroy();
  const bins = 1000;
  const counts = new Float64Array(bins);
  for (const v of u) {
    assert.ok(v > 0 && v < 1);
    counts[Math.floor(v * bins)]++;
  }
  const expected = n / bins;
  let chi2 = 0;
  for (const c of counts) chi2 += (c - expected) ** 2 / expected;
  // 999 degrees of freedom: mean 999, sd ≈ 44.7; 1150 is about the 0.0005 upper quantile.
  assert.ok(chi2 < 1150 && chi2 > 850, `chi2 = ${chi2.toFixed(1)}`);
  // Moments of Exp(1) and N(0,1) built on the same stream.
  const mean = u.reduce((a, b) => a + b, 0) / n;
  assert.ok(Math.abs(mean - 0.5) < 0.002, `mean ${mean}`);
});
