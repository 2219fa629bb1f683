/**
 * Eigendecomposition of a real symmetric n×n matrix in f64 (used by `gramSvd` for large layers):
 * 1. Householder tridiagonalisation Qᵀ·A·Q = T (Golub & Van Loan, Matrix Computations §8.3.1),
 *    with full-block rank-2 updates so that every inner loop runs along a contiguous row;
 * 2. the implicit QL algorithm with Wilkinson-type shifts on T (Golub & Van Loan §8.3.3;
 *    Numerical Recipes §11.3), its Givens rotations applied to the rows of Qᵀ.
 * Cost ≈ 2n³ flops (reduction) + 4/3·n³ (forming Q) + ≈ 3n³ (rotations): most of `gramSvd`'s
 * ≈ 60 s at n = 2048. Eigenvalues are accurate to about ε·‖A‖ absolutely.
 */

export interface SymmetricEigen {
  n: number;
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** n×n row-major; row i is the unit eigenvector of values[i]. */
  vectors: Float64Array;
}

/**
 * Tridiagonalises the symmetric row-major `a` in place (only its final diagonal is meaningful).
 * Returns the diagonal d, the off-diagonal e (e[k] couples k and k+1; e[n−1] = 0) and Qᵀ.
 */
function tridiagonalise(a: Float64Array, n: number) {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const vs: Float64Array[] = [];
  const betas = new Float64Array(Math.max(0, n - 2));
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    d[k] = a[k * n + k];
    const len = n - k - 1;
    const x0 = a[k * n + k + 1];
    let xx = 0;
    for (let j = k + 1; j < n; j++) xx += a[k * n + j] ** 2;
    const xnorm = Math.sqrt(xx);
    if (xnorm === 0) {
      e[k] = 0;
      vs.push(new Float64Array(len));
      continue;
    }
    // H = I − β·v·vᵀ maps x = A[k+1:, k] to −sign(x₀)·‖x‖·e₁.
    const sign = x0 >= 0 ? 1 : -1;
    const v = a.slice(k * n + k + 1, k * n + n);
    v[0] += sign * xnorm;
    const beta = 1 / (xnorm * (xnorm + Math.abs(x0)));
    e[k] = -sign * xnorm;
    vs.push(v);
    betas[k] = beta;
    // p = β·A₂₂·v, w = p − (β/2)(pᵀv)·v, A₂₂ ← A₂₂ − v·wᵀ − w·vᵀ.
    const o = k + 1;
    let pv = 0;
    for (let i = 0; i < len; i++) {
      const row = (o + i) * n + o;
      let s = 0;
      for (let j = 0; j < len; j++) s += a[row + j] * v[j];
      p[i] = beta * s;
      pv += p[i] * v[i];
    }
    const kk = 0.5 * beta * pv;
    for (let i = 0; i < len; i++) p[i] -= kk * v[i];
    for (let i = 0; i < len; i++) {
      const row = (o + i) * n + o;
      const vi = v[i];
      const wi = p[i];
      for (let j = 0; j < len; j++) a[row + j] -= vi * p[j] + wi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2];
    e[n - 2] = a[(n - 2) * n + n - 1];
  }
  d[n - 1] = a[n * n - 1];
  // Qᵀ = H_{n−3}···H₀, built backwards: M ← M·H_k touches rows and columns > k only.
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const v = vs[k];
    const beta = betas[k];
    if (beta === 0) continue;
    const o = k + 1;
    const len = n - o;
    for (let i = o; i < n; i++) {
      const row = i * n + o;
      let s = 0;
      for (let j = 0; j < len; j++) s += qt[row + j] * v[j];
      s *= beta;
      if (s === 0) continue;
      for (let j = 0; j < len; j++) qt[row + j] -= s * v[j];
    }
  }
  return { d, e, qt };
}

/**
 * Implicit QL on the tridiagonal (d, e), rotating the rows of `z` (n×n). On return d holds the
 * eigenvalues and row i of z the eigenvector of d[i].
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, z: Float64Array, n: number): void {
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new Error("eigen: QL iteration did not converge");
      // Shift from the leading 2×2 block, then chase the bulge from m−1 up to l.
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        const zi = i * n;
        const zj = (i + 1) * n;
        for (let k = 0; k < n; k++) {
          const t = z[zj + k];
          z[zj + k] = s * z[zi + k] + c * t;
          z[zi + k] = c * z[zi + k] - s * t;
        }
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

function checkSymmetric(a: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new RangeError(`symmetric matrix: ${a.length} values do not fill ${n}×${n}`);
  }
}

/** Eigenvalues (descending) and unit eigenvectors of the symmetric row-major n×n `a`. */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  checkSymmetric(a, n);
  let amax = 0;
  for (let i = 0; i < a.length; i++) amax = Math.max(amax, Math.abs(a[i]));
  if (!Number.isFinite(amax)) throw new RangeError("eigen: the matrix has non-finite entries");
  const scale = amax > 0 ? 1 / amax : 1;
  // Symmetrise (uses the average of a and aᵀ) and scale to max |a| = 1.
  const work = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) work[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]) * scale;
  }
  const { d, e, qt } = tridiagonalise(work, n);
  tridiagonalQl(d, e, qt, n);
  const order = Array.from(d.keys()).sort((x, y) => d[y] - d[x] || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src] / scale;
    vectors.set(qt.subarray(src * n, (src + 1) * n), dst * n);
  });
  return { n, values, vectors };
}
