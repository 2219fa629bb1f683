/**
 * lib/ops/nn.ts kernels against lib/reference/ops.ts on odd sizes and extreme values, and a gradient
 * check of a 2-layer bias-free ReLU net composed from gemm + nn ops. Tolerances are stated at
 * each comparison.
 */
import assert from "node:assert/strict";
import { Gpu } from "../../lib/gpu/runtime.ts";
import { gemm } from "../../lib/ops/gemm.ts";
import {
  fill,
  gatherLabels,
  gatherRows,
  maskRows,
  relu,
  reluBackward,
  rowSquaredNorms,
  sgdStep,
  softmaxCrossEntropy,
  sumPairs,
} from "../../lib/ops/nn.ts";
import {
  fillRef,
  gatherLabelsRef,
  gatherRowsRef,
  maskRowsRef,
  reluBackwardRef,
  reluRef,
  rowSquaredNormsRef,
  sgdStepRef,
  softmaxCrossEntropyRef,
  sumPairsRef,
} from "../../lib/reference/ops.ts";
import { assertBits, assertClose, runBatch, uniform } from "../helpers.ts";

const gpuP = Gpu.shared();

function integers(n: number, seed: number, below: number): Uint32Array {
  return Uint32Array.from(
    uniform(n, seed, 0, 1),
    (u) => Math.min(below - 1, Math.floor(u * below)),
  );
}

const SPECIALS = [0, -0, 1e-40, -1e-40, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 1, -1];

function withSpecials(n: number, seed: number): Float32Array {
  const x = uniform(n, seed, -5, 5);
  for (let i = 0; i < Math.min(n, SPECIALS.length); i++) x[(i * 7) % n] = SPECIALS[i];
  return x;
}

Deno.test("relu, reluBackward, sgdStep, fill match the reference exactly on odd sizes", async () => {
  const gpu = await gpuP;
  // 70001 > 64 workgroups of 256: several grid-stride rounds on a CPU adapter.
  for (const count of [1, 3, 257, 1000, 70001]) {
    const pad = 5; // elements past `count` must stay untouched
    const x0 = withSpecials(count + pad, count);
    const act = withSpecials(count + pad, count + 1);
    const g0 = uniform(count + pad, count + 2, -1e3, 1e3);
    const w0 = uniform(count + pad, count + 3, -1, 1);
    const x = gpu.upload(x0);
    const grad = gpu.upload(g0);
    const a = gpu.upload(act);
    const w = gpu.upload(w0);
    const f = gpu.upload(new Float32Array(count + pad).fill(7));
    const u = gpu.upload(new Uint32Array(count + pad).fill(7));
    const lr = 0.037;
    const [xr, gr, wr, fr] = await runBatch(
      gpu,
      (b) => {
        relu(gpu, b, x, count);
        reluBackward(gpu, b, grad, a, count);
        sgdStep(gpu, b, w, grad, lr, count); // uses the masked gradient
        fill(gpu, b, f, -0, count);
        fill(gpu, b, u, 0xdeadbeef, count);
      },
      x,
      grad,
      w,
      f,
    );
    const ur = await u.readU32();
    const xw = x0.slice();
    reluRef(xw, count);
    const gw = g0.slice();
    reluBackwardRef(gw, act, count);
    const ww = w0.slice();
    sgdStepRef(ww, gw, lr, count);
    assertBits(xr, xw, `relu(${count})`);
    assertBits(gr, gw, `reluBackward(${count})`);
    // sgd: exact up to a fused multiply-add (one rounding instead of two): ≤ 1 ulp of |w| + |lr·g|.
    assertClose(wr, ww, (v) => 2 ** -23 * (Math.abs(v) + lr * 1e3), `sgdStep(${count})`);
    const fw = new Float32Array(count + pad).fill(7);
    fillRef(fw, -0, count);
    assertBits(fr, fw, "fill f32");
    const uw = new Uint32Array(count + pad).fill(7);
    fillRef(uw, 0xdeadbeef, count);
    assert.deepEqual(ur, uw);
    for (const t of [x, grad, a, w, f, u]) t.destroy();
  }
});

/**
 * Softmax CE tolerances: loss within 2e-6·(1 + |loss|) + 4e-7·(max|x| − x_label) (the f32 rounding
 * of max − x_label); dlogits within 2e-6·|gradScale|; correct exact.
 */
async function checkSoftmax(
  gpu: Gpu,
  logits0: Float32Array,
  labels0: Uint32Array,
  rows: number,
  classes: number,
  opts: { gradScale?: number; labelOffset?: number },
  what: string,
) {
  const logits = gpu.upload(logits0);
  const labels = gpu.upload(labels0);
  const stats = gpu.tensor([2 * rows]);
  const stats2 = gpu.tensor([2 * rows]);
  const dl = gpu.tensor([rows * classes]);
  const [s, s2, d] = await runBatch(
    gpu,
    (b) => {
      softmaxCrossEntropy(gpu, b, logits, labels, dl, stats, rows, classes, opts);
      softmaxCrossEntropy(gpu, b, logits, labels, null, stats2, rows, classes, opts);
    },
    stats,
    stats2,
    dl,
  );
  const ws = new Float32Array(2 * rows);
  const wd = new Float32Array(rows * classes);
  softmaxCrossEntropyRef(logits0, labels0, wd, ws, rows, classes, opts);
  const scale = Math.abs(opts.gradScale ?? 1 / rows);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, logits0[r * classes + j]);
    const label = labels0[(opts.labelOffset ?? 0) + r];
    const gap = label < classes ? Math.abs(max - logits0[r * classes + label]) : 0;
    const tol = 2e-6 * (1 + Math.abs(ws[2 * r])) + 4e-7 * gap;
    const loss = s[2 * r];
    if (!(Number.isNaN(ws[2 * r]) ? Number.isNaN(loss) : Math.abs(loss - ws[2 * r]) <= tol)) {
      assert.fail(`${what}: loss[${r}] = ${loss}, want ${ws[2 * r]}`);
    }
    assert.equal(s[2 * r + 1], ws[2 * r + 1], `${what}: correct[${r}]`);
  }
  assertBits(s2, s, `${what}: stats without dlogits`);
  assertClose(d, wd, () => 2e-6 * scale, `${what}: dlogits`);
  for (const t of [logits, labels, stats, stats2, dl]) t.destroy();
  return { stats: s, dlogits: d };
}

Deno.test("softmaxCrossEntropy matches the stable reference on odd sizes", async () => {
  const gpu = await gpuP;
  for (const rows of [1, 3, 257]) {
    for (const classes of [2, 10]) {
      const logits = uniform(rows * classes, rows * 31 + classes, -4, 4);
      const labels = integers(rows + 5, rows + classes, classes);
      await checkSoftmax(gpu, logits, labels, rows, classes, {}, `ce ${rows}×${classes}`);
      await checkSoftmax(gpu, logits, labels, rows, classes, {
        gradScale: 0.5,
        labelOffset: 5,
      }, `ce ${rows}×${classes} offset`);
    }
  }
});

Deno.test("softmaxCrossEntropy: huge logits stay finite, ties go to the lowest index", async () => {
  const gpu = await gpuP;
  const classes = 10;
  const rows = 6;
  const logits = uniform(rows * classes, 9, -1e4, 1e4);
  logits.fill(1e4, 0, 10); // row 0: all equal → argmax 0, loss log 10
  logits[10 + 3] = 3e4; // row 1: one dominant logit
  logits.fill(-1e4, 20, 30); // row 2: all −1e4
  logits[20 + 4] = 5; // ... but one at 5: p ≈ 1
  logits.fill(2, 30, 40);
  logits[30 + 2] = 7; // row 3: tie between 2 and 8 at 7
  logits[30 + 8] = 7;
  logits.fill(-3e38, 40, 50); // row 4: extreme but finite
  const labels = Uint32Array.from([0, 3, 1, 8, 9, 11]); // row 5: label ≥ classes → NaN loss
  const { stats, dlogits } = await checkSoftmax(gpu, logits, labels, rows, classes, {}, "huge");
  for (let i = 0; i < dlogits.length; i++) assert.ok(Number.isFinite(dlogits[i]), `dlogits[${i}]`);
  for (let r = 0; r < 5; r++) assert.ok(Number.isFinite(stats[2 * r]), `loss[${r}]`);
  assert.ok(Math.abs(stats[0] - Math.log(10)) < 1e-6);
  assert.equal(stats[1], 1); // ties: index 0 wins, label 0
  assert.ok(stats[2] >= 0 && stats[2] < 1e-3 && stats[3] === 1); // row 1: label 3 is the max
  assert.ok(Math.abs(stats[4] - (5 + 1e4)) < 1e-2 && stats[5] === 0); // row 2: label 1 at −1e4
  assert.equal(stats[7], 0); // row 3: label 8 ties with 2, and 2 is the lower index
  assert.ok(Number.isNaN(stats[10]) && stats[11] === 0);
});

Deno.test("sumPairs: deterministic tree sums on 1 … 300000 rows", async () => {
  const gpu = await gpuP;
  for (const rows of [0, 1, 255, 256, 257, 512, 513, 100000, 300000]) {
    const data = uniform(2 * rows + 2, rows, 0, 8);
    for (let r = 0; r < rows; r++) data[2 * r + 1] = data[2 * r + 1] > 4 ? 1 : 0;
    const stats = gpu.upload(data);
    const out = gpu.upload(new Float32Array(5).fill(-1));
    const out2 = gpu.tensor([2]);
    const [o, o2] = await runBatch(
      gpu,
      (b) => {
        sumPairs(gpu, b, stats, rows, out, 3);
        sumPairs(gpu, b, stats, rows, out2, 0);
      },
      out,
      out2,
    );
    const want = new Float32Array(5).fill(-1);
    sumPairsRef(data, rows, want, 3);
    // A binary tree of depth ⌈log2 rows⌉ of f32 adds of non-negative terms: relative error
    // ≤ depth·2⁻²⁴; the counts are integers < 2²⁴, so they are exact.
    const depth = Math.max(1, Math.ceil(Math.log2(Math.max(rows, 2))));
    assert.ok(
      Math.abs(o[3] - want[3]) <= depth * 2 ** -24 * want[3] + 1e-30,
      `rows ${rows}: ${o[3]} vs ${want[3]}`,
    );
    assert.equal(o[4], want[4], `rows ${rows}: count`);
    assert.deepEqual([...o.subarray(0, 3)], [-1, -1, -1]);
    assert.deepEqual([...o2], [o[3], o[4]]); // same tree, same bits
    stats.destroy();
    out.destroy();
    out2.destroy();
  }
});

Deno.test("rowSquaredNorms and maskRows match the reference", async () => {
  const gpu = await gpuP;
  for (const [rows, cols] of [[1, 1], [3, 7], [257, 65], [5, 300], [2, 1000]]) {
    const w0 = uniform(rows * cols, rows * cols, -3, 3);
    w0[0] = 1e18; // squares to 1e36, still finite
    const mask0 = integers(rows, rows + 7, 2);
    mask0[0] = 1;
    const w = gpu.upload(w0);
    const mask = gpu.upload(mask0);
    const norms = gpu.upload(new Float32Array(rows + 1).fill(-1));
    const [n, wm] = await runBatch(
      gpu,
      (b) => {
        rowSquaredNorms(gpu, b, w, rows, cols, norms);
        maskRows(gpu, b, w, rows, cols, mask);
      },
      norms,
      w,
    );
    const wn = new Float32Array(rows + 1).fill(-1);
    rowSquaredNormsRef(w0, rows, cols, wn);
    // Per-thread sums of ≤ ⌈cols/64⌉ terms then a 6-level tree: ≤ (cols/64 + 6)·2⁻²³ relative.
    assertClose(n, wn, (v) => (cols / 64 + 7) * 2 ** -23 * Math.abs(v), `norms ${rows}×${cols}`);
    const ww = w0.slice();
    maskRowsRef(ww, rows, cols, mask0);
    assertBits(wm, ww, `maskRows ${rows}×${cols}`);
    for (const t of [w, mask, norms]) t.destroy();
  }
});

Deno.test("gatherRows and gatherLabels copy rows bit for bit, with index offsets", async () => {
  const gpu = await gpuP;
  // 50×784 > 64 workgroups of 256: several grid-stride rounds on a CPU adapter.
  const cases = [[1, 1, 1, 0], [10, 3, 7, 2], [300, 257, 33, 5], [300, 784, 50, 5]];
  for (const [srcRows, cols, count, offset] of cases) {
    const src0 = withSpecials(srcRows * cols, cols);
    const idx0 = integers(offset + count, srcRows, srcRows);
    const labels0 = integers(srcRows, srcRows + 1, 10);
    const src = gpu.upload(src0);
    const idx = gpu.upload(idx0);
    const labels = gpu.upload(labels0);
    const dst = gpu.tensor([count * cols]);
    const dstLabels = gpu.tensor([count], "u32");
    const [d] = await runBatch(gpu, (b) => {
      gatherRows(gpu, b, src, idx, dst, count, cols, offset);
      gatherLabels(gpu, b, labels, idx, dstLabels, count, offset);
    }, dst);
    const want = new Float32Array(count * cols);
    gatherRowsRef(src0, idx0, want, count, cols, offset);
    assertBits(d, want, "gatherRows");
    const wantLabels = new Uint32Array(count);
    gatherLabelsRef(labels0, idx0, wantLabels, count, offset);
    assert.deepEqual(await dstLabels.readU32(), wantLabels);
    for (const t of [src, idx, labels, dst, dstLabels]) t.destroy();
  }
});

// ---- gradient check --------------------------------------------------------------------------

/** Mean cross-entropy of the net logits = relu(X·W1ᵀ)·W2ᵀ, all in f64. */
function netLoss(
  x: Float64Array,
  w1: Float64Array,
  w2: Float64Array,
  labels: Uint32Array,
  dims: { b: number; d: number; h: number; c: number },
): number {
  const { b, d, h, c } = dims;
  let total = 0;
  for (let r = 0; r < b; r++) {
    const hid = new Float64Array(h);
    for (let i = 0; i < h; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[r * d + j] * w1[i * d + j];
      hid[i] = Math.max(0, s);
    }
    const z = new Float64Array(c);
    for (let o = 0; o < c; o++) {
      for (let i = 0; i < h; i++) z[o] += hid[i] * w2[o * h + i];
    }
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
    total += lse - z[labels[r]];
  }
  return total / b;
}

Deno.test("gradient check: 2-layer ReLU net backward from gemm + nn ops equals finite differences", async () => {
  const gpu = await gpuP;
  const dims = { b: 7, d: 5, h: 9, c: 3 };
  const { b, d, h, c } = dims;
  const x0 = uniform(b * d, 11);
  const w10 = uniform(h * d, 12);
  const w20 = uniform(c * h, 13);
  const labels0 = integers(b, 14, c);
  const x = gpu.upload(x0);
  const w1 = gpu.upload(w10);
  const w2 = gpu.upload(w20);
  const labels = gpu.upload(labels0);
  const act = gpu.tensor([b * h]);
  const logits = gpu.tensor([b * c]);
  const dlogits = gpu.tensor([b * c]);
  const stats = gpu.tensor([2 * b]);
  const sums = gpu.tensor([2]);
  const dact = gpu.tensor([b * h]);
  const dw1 = gpu.tensor([h * d]);
  const dw2 = gpu.tensor([c * h]);
  const [gw1, gw2, s, a] = await runBatch(
    gpu,
    (batch) => {
      gemm(gpu, batch, "nt", x, w1, act, b, h, d); // pre = X·W1ᵀ
      relu(gpu, batch, act, b * h);
      gemm(gpu, batch, "nt", act, w2, logits, b, c, h); // logits = A·W2ᵀ
      softmaxCrossEntropy(gpu, batch, logits, labels, dlogits, stats, b, c);
      sumPairs(gpu, batch, stats, b, sums, 0);
      gemm(gpu, batch, "tn", dlogits, act, dw2, c, h, b); // dW2 = dZᵀ·A
      gemm(gpu, batch, "nn", dlogits, w2, dact, b, h, c); // dA = dZ·W2
      reluBackward(gpu, batch, dact, act, b * h);
      gemm(gpu, batch, "tn", dact, x, dw1, h, d, b); // dW1 = dPreᵀ·X
    },
    dw1,
    dw2,
    sums,
    act,
  );
  for (const t of [x, w1, w2, labels, act, logits, dlogits, stats, sums, dact, dw1, dw2]) {
    t.destroy();
  }

  const x64 = Float64Array.from(x0);
  const w164 = Float64Array.from(w10);
  const w264 = Float64Array.from(w20);
  const loss = netLoss(x64, w164, w264, labels0, dims);
  assert.ok(Math.abs(s[0] / b - loss) < 1e-5, `loss ${s[0] / b} vs ${loss}`);
  assert.ok(a.some((v) => v > 0) && a.some((v) => v === 0), "both ReLU branches exercised");
  // Central differences in f64 (h = 1e-6: truncation ~1e-12, rounding ~1e-10); the GPU gradient
  // is f32, so allow 1e-5 + 1e-4·|g|.
  const step = 1e-6;
  const check = (w: Float64Array, got: Float32Array, name: string) => {
    for (let i = 0; i < w.length; i++) {
      const old = w[i];
      w[i] = old + step;
      const up = netLoss(x64, w164, w264, labels0, dims);
      w[i] = old - step;
      const down = netLoss(x64, w164, w264, labels0, dims);
      w[i] = old;
      const fd = (up - down) / (2 * step);
      assert.ok(
        Math.abs(got[i] - fd) <= 1e-5 + 1e-4 * Math.abs(fd),
        `${name}[${i}]: ${got[i]} vs ${fd}`,
      );
    }
  };
  check(w164, gw1, "dW1");
  check(w264, gw2, "dW2");
});
