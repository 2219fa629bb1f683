import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { runningMean } from "../../lib/ops/nn.ts";
import { runningMeanRef } from "../../lib/reference/ops.ts";

Deno.test("runningMean on the GPU matches the reference and averages a sequence", async () => {
  const gpu = await Gpu.shared();
  for (const count of [1, 7, 257, 1000]) {
    const seq = Array.from(
      { length: 5 },
      (_, t) => new Float32Array(count).map((_, i) => Math.sin(i * 0.7 + t) * 10 ** ((i % 7) - 3)),
    );
    const avg = gpu.tensor([count]);
    avg.write(new Float32Array(count).fill(NaN)); // n = 1 must overwrite whatever was there
    const ref = new Float32Array(count).fill(NaN);
    for (let t = 0; t < seq.length; t++) {
      const w = gpu.upload(seq[t]);
      const batch = gpu.batch();
      runningMean(gpu, batch, avg, w, 1 / (t + 1), count);
      batch.submit();
      runningMeanRef(ref, seq[t], 1 / (t + 1), count);
      w.destroy();
    }
    const got = await avg.read();
    for (let i = 0; i < count; i++) {
      const mean = seq.reduce((s, w) => s + w[i], 0) / seq.length;
      const scale = Math.max(...seq.map((w) => Math.abs(w[i])));
      assert.ok(
        Math.abs(got[i] - ref[i]) <= 1e-6 * scale + 1e-30,
        `[${i}] gpu ${got[i]} ref ${ref[i]}`,
      );
      assert.ok(
        Math.abs(got[i] - mean) <= 1e-6 * scale + 1e-30,
        `[${i}] ${got[i]} vs mean ${mean}`,
      );
    }
    avg.destroy();
  }
  const t = gpu.tensor([4]);
  assert.throws(() => runningMean(gpu, gpu.batch(), t, t, 0, 4), /1\/n/);
  t.destroy();
});
