import assert from "node:assert/strict";
import { symmetricEigen } from "../../lib/compress/eigen.ts";
import { gramSvd } from "../../lib/compress/gram_svd.ts";
import { reconstruct, type Svd, svd } from "../../lib/compress/svd.ts";
import { drawAt, unitFloat } from "../../lib/rng/philox.ts";

function random(m: number, n: number, seed: number): Float64Array {
  return Float64Array.from(
    { length: m * n },
    (_, i) => 2 * unitFloat(drawAt(seed, 91, 0, i)[0]) - 1,
  );
}

/** Rank-r m×n matrix: a sum of r random outer products. */
function lowRank(m: number, n: number, r: number, seed: number): Float64Array {
  const a = new Float64Array(m * n);
  const x = random(r, m, seed);
  const y = random(r, n, seed + 1000);
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) a[i * n + j] += x[k * m + i] * y[k * n + j];
    }
  }
  return a;
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0; // divide by max |a| so that 1e±200 entries neither overflow nor underflow
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  scale = scale > 0 ? 1 / scale : 1;
  let [d, n] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    d += ((a[i] - b[i]) * scale) ** 2;
    n += (a[i] * scale) ** 2;
  }
  return n > 0 ? Math.sqrt(d / n) : Math.sqrt(d);
}

/** max |XᵀX − I| for the `cols` columns of a row-major rows×cols matrix. */
function orthogonality(x: Float64Array, rows: number, cols: number): number {
  let worst = 0;
  for (let p = 0; p < cols; p++) {
    for (let q = p; q < cols; q++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * cols + p] * x[i * cols + q];
      worst = Math.max(worst, Math.abs(s - (p === q ? 1 : 0)));
    }
  }
  return worst;
}

function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
}

function checkSvd(d: Svd, a: Float64Array, label: string, tol = 1e-10): void {
  const { m, n, k } = d;
  assert.equal(k, Math.min(m, n), label);
  assert.ok(relativeError(a, reconstruct(d)) < tol, `${label}: ‖A − UΣVᵀ‖/‖A‖`);
  assert.ok(orthogonality(d.u, m, k) < tol, `${label}: UᵀU = I`);
  assert.ok(orthogonality(transpose(d.vt, k, n), n, k) < tol, `${label}: VᵀV = I`);
  for (let i = 0; i < k; i++) {
    assert.ok(d.s[i] >= 0, `${label}: s ≥ 0`);
    if (i > 0) assert.ok(d.s[i] <= d.s[i - 1], `${label}: s descending`);
  }
}

const CASES: [string, number, number, (m: number, n: number) => Float64Array][] = [
  ["1×1", 1, 1, () => Float64Array.from([-3])],
  ["1×9", 1, 9, (m, n) => random(m, n, 1)],
  ["9×1", 9, 1, (m, n) => random(m, n, 2)],
  ["7×4", 7, 4, (m, n) => random(m, n, 3)],
  ["4×7", 4, 7, (m, n) => random(m, n, 4)],
  ["30×30", 30, 30, (m, n) => random(m, n, 5)],
  ["40×25", 40, 25, (m, n) => random(m, n, 6)],
  ["rank 2, 12×9", 12, 9, (m, n) => lowRank(m, n, 2, 7)],
  ["rank 3, 8×15", 8, 15, (m, n) => lowRank(m, n, 3, 8)],
  ["zeros 5×3", 5, 3, (m, n) => new Float64Array(m * n)],
  ["zeros 2×6", 2, 6, (m, n) => new Float64Array(m * n)],
  ["tiny 6×4", 6, 4, (m, n) => random(m, n, 9).map((v) => v * 1e-200)],
  ["huge 4×6", 4, 6, (m, n) => random(m, n, 10).map((v) => v * 1e200)],
];

Deno.test("Jacobi SVD: reconstruction, orthogonality, order on many shapes", () => {
  for (const [label, m, n, make] of CASES) {
    const a = make(m, n);
    const d = svd(a, m, n);
    checkSvd(d, a, label);
    if (label.startsWith("zeros")) assert.ok(d.s.every((v) => v === 0));
    if (label.startsWith("rank")) {
      const r = Number(label[5]);
      assert.ok(d.s[r - 1] > 1e-3 * d.s[0], `${label}: rank ≥ ${r}`);
      for (let i = r; i < d.k; i++) assert.ok(d.s[i] < 1e-13 * d.s[0], `${label}: s[${i}] ≈ 0`);
    }
  }
});

Deno.test("Jacobi SVD: hand-computed singular values", () => {
  assert.deepEqual([...svd([3, 0, 0, -4], 2, 2).s], [4, 3]);
  const d = svd([1, 1, 0, 0], 2, 2);
  assert.ok(Math.abs(d.s[0] - Math.SQRT2) < 1e-15 && d.s[1] === 0);
  checkSvd(d, Float64Array.from([1, 1, 0, 0]), "[[1,1],[0,0]]");
  // [[2, 0], [0, 1], [0, 0]]: s = 2, 1.
  assert.deepEqual([...svd([2, 0, 0, 1, 0, 0], 3, 2).s], [2, 1]);
  // Frobenius norm = √Σs².
  const a = random(6, 5, 11);
  const s = svd(a, 6, 5).s;
  const fro = Math.sqrt(a.reduce((t, v) => t + v * v, 0));
  assert.ok(Math.abs(Math.hypot(...s) - fro) < 1e-13);
  assert.throws(() => svd(a, 5, 5), /do not fill/);
  assert.throws(() => svd(random(30, 30, 12), 30, 30, { maxSweeps: 1 }), /no convergence/);
});

Deno.test("Gram SVD: reconstruction, orthogonality, and agreement with Jacobi", () => {
  for (const [label, m, n, make] of CASES) {
    const a = make(m, n);
    const g = gramSvd(a, m, n);
    checkSvd(g, a, `gram ${label}`);
    const j = svd(a, m, n);
    for (let i = 0; i < g.k; i++) {
      assert.ok(Math.abs(g.s[i] - j.s[i]) <= 1e-12 * Math.max(j.s[0], 1e-300), `${label}: s[${i}]`);
    }
  }
});

Deno.test("symmetric eigen: hand cases and residuals", () => {
  const e2 = symmetricEigen([2, 1, 1, 2], 2);
  assert.ok(Math.abs(e2.values[0] - 3) < 1e-15 && Math.abs(e2.values[1] - 1) < 1e-15);
  assert.deepEqual([...symmetricEigen([5], 1).values], [5]);
  assert.deepEqual([...symmetricEigen([0, 0, 0, 0], 2).values], [0, 0]);
  const n = 25;
  const r = random(n, n, 13);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = r[i * n + j] + r[j * n + i];
  }
  const { values, vectors } = symmetricEigen(a, n);
  assert.ok(orthogonality(transpose(vectors, n, n), n, n) < 1e-12);
  for (let k = 0; k < n; k++) {
    if (k > 0) assert.ok(values[k] <= values[k - 1]);
    let res = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[k * n + j];
      res = Math.max(res, Math.abs(s - values[k] * vectors[k * n + i]));
    }
    assert.ok(res < 1e-12, `‖Av − λv‖ for λ = ${values[k]}`);
  }
  const trace = Array.from({ length: n }, (_, i) => a[i * n + i]).reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - trace) < 1e-12);
});
