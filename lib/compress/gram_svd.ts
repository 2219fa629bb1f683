/**
 * Faster thin SVD for large layers, through the Gram matrix of the shorter side: for m ≥ n,
 * AᵀA = V·Σ²·Vᵀ (`symmetricEigen`), then B = A·V, σ_i = ‖b_i‖ and u_i = b_i/σ_i. Columns with
 * σ_i < `reorthogonalise`·σ_max are re-orthogonalised against the earlier ones (modified
 * Gram–Schmidt, twice) and σ_i taken as what is left, and numerically zero ones are completed to
 * an orthonormal set, so U and V have orthonormal columns. For m < n the same runs on Aᵀ.
 *
 * Cost ≈ m·n²/2 (Gram) + ≈ 6n³ flops (eigen) + m·n² (B): 2.5 s for 512×512, 7 s for
 * 1024×1024 and ≈ 60 s for 2048×2048 on one CPU core, against ≈ 20 minutes for the Jacobi
 * `svd`. Accuracy: the reconstruction U·Σ·Vᵀ = A to ≈ ε·‖A‖, but small singular values carry an
 * absolute (not relative) error of ≈ ε·σ_max, i.e. values below ≈ √ε·σ_max are not resolved.
 * That is ample for pruning f32 weights; use `svd` where small singular values must be exact.
 */
import { symmetricEigen } from "./eigen.ts";
import { completeOrthonormal, type Svd } from "./svd.ts";

export interface GramSvdOptions {
  /** Relative σ below which u_i is re-orthogonalised (default 1e-3). */
  reorthogonalise?: number;
}

/** Thin SVD of a tall (m ≥ n) row-major matrix through AᵀA. */
function tallGramSvd(a: ArrayLike<number>, m: number, n: number, reorth: number): Svd {
  // Gram G = AᵀA as a sum of row outer products (upper triangle, then mirrored).
  const g = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) row[j] = a[r * n + j];
    for (let i = 0; i < n; i++) {
      const x = row[i];
      if (x === 0) continue;
      const o = i * n;
      for (let j = i; j < n; j++) g[o + j] += x * row[j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i];
  const { vectors: vt } = symmetricEigen(g, n);
  // B = A·V stored column-wise: bt row i = b_i = A·v_i.
  const bt = new Float64Array(n * m);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) row[j] = a[r * n + j];
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * n;
      for (let j = 0; j < n; j++) s += row[j] * vt[o + j];
      bt[i * m + r] = s;
    }
  }
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let r = 0; r < m; r++) q += bt[i * m + r] ** 2;
    s[i] = Math.sqrt(q);
  }
  const smax = s.reduce((x, y) => Math.max(x, y), 0);
  const zero: number[] = [];
  const isZero = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const bi = i * m;
    if (s[i] < reorth * smax) {
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          if (isZero[j]) continue;
          let dot = 0;
          for (let r = 0; r < m; r++) dot += bt[j * m + r] * bt[bi + r];
          for (let r = 0; r < m; r++) bt[bi + r] -= dot * bt[j * m + r];
        }
      }
      let q = 0;
      for (let r = 0; r < m; r++) q += bt[bi + r] ** 2;
      s[i] = Math.sqrt(q);
    }
    if (!(s[i] > 4 * Number.EPSILON * smax) || s[i] === 0) {
      s[i] = 0;
      isZero[i] = 1;
      zero.push(i);
      continue;
    }
    for (let r = 0; r < m; r++) bt[bi + r] /= s[i];
  }
  if (zero.length) completeOrthonormal(bt, n, m, zero);
  // Sort descending (re-orthogonalised values may be slightly out of order).
  const order = Array.from(s.keys()).sort((x, y) => s[y] - s[x] || x - y);
  const u = new Float64Array(m * n);
  const sv = new Float64Array(n);
  const vtSorted = new Float64Array(n * n);
  order.forEach((src, dst) => {
    sv[dst] = s[src];
    vtSorted.set(vt.subarray(src * n, (src + 1) * n), dst * n);
    for (let r = 0; r < m; r++) u[r * n + dst] = bt[src * m + r];
  });
  return { m, n, k: n, u, s: sv, vt: vtSorted, sweeps: 0 };
}

function transpose(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

/** Thin SVD of the row-major m×n `a` through the Gram matrix of its shorter side. */
export function gramSvd(
  a: ArrayLike<number>,
  m: number,
  n: number,
  opts: GramSvdOptions = {},
): Svd {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1 || a.length !== m * n) {
    throw new RangeError(`shape ${m}×${n} does not match ${a.length} values`);
  }
  const reorth = opts.reorthogonalise ?? 1e-3;
  let amax = 0;
  for (let i = 0; i < a.length; i++) amax = Math.max(amax, Math.abs(a[i]));
  if (!Number.isFinite(amax)) throw new RangeError("svd: the matrix has non-finite entries");
  const scale = amax > 0 ? 1 / amax : 1;
  const scaled = Float64Array.from(a, (x) => x * scale);
  const unscale = (d: Svd) => {
    for (let i = 0; i < d.k; i++) d.s[i] /= scale;
    return d;
  };
  if (m >= n) return unscale(tallGramSvd(scaled, m, n, reorth));
  // Aᵀ = U'ΣV'ᵀ, so A = V'ΣU'ᵀ.
  const t = tallGramSvd(transpose(scaled, m, n), n, m, reorth);
  return unscale({
    m,
    n,
    k: m,
    u: transpose(t.vt, m, m),
    s: t.s,
    vt: transpose(t.u, n, m),
    sweeps: 0,
  });
}
