/**
 * Thin singular value decomposition A = U·diag(s)·Vᵀ of a real m×n matrix in f64, by one-sided
 * (Hestenes) Jacobi: plane rotations applied to the k = min(m, n) vectors of the shorter side
 * (the columns if m ≥ n, else the rows) until every pair is orthogonal to a relative tolerance,
 *   |g_p·g_q| ≤ tol·‖g_p‖·‖g_q‖  (Demmel & Veselić 1992; LAPACK dgesvj uses tol = √L·ε).
 * The vector norms are then the singular values, the normalised vectors one set of singular
 * vectors, and the accumulated rotations the other. Rotations are orthogonal, so the
 * reconstruction is exact to rounding whatever `tol`; `tol` sets how orthogonal U and V are.
 *
 * Cost: each sweep visits k(k−1)/2 pairs at about 3·L + 4·k flop-pairs each (L = max(m, n)),
 * i.e. ≈ 1.5·k²·(L + k) multiply-adds per sweep, and 10–16 sweeps are typical at the default
 * tolerance. Measured on one CPU core: 128×128 0.1 s, 256×512 0.7 s, 512×512 16 s,
 * 1024×1024 140 s; 2048×2048 would take ≈ 20 minutes (O(n³) per sweep). For large layers use
 * `gramSvd` (gram_svd.ts, ≈ 1 minute at 2048×2048, absolute rather than relative accuracy for
 * the small singular values); `layerSvd` in spectral.ts picks it above 256.
 *
 * Exactly zero singular values (zero or rank-deficient input) get singular vectors from an
 * orthonormal completion, so U and V always have orthonormal columns. `s` is sorted descending.
 */

export interface Svd {
  m: number;
  n: number;
  /** min(m, n): the number of singular triplets. */
  k: number;
  /** m×k, row-major, orthonormal columns. */
  u: Float64Array;
  /** k values, descending, ≥ 0. */
  s: Float64Array;
  /** k×n, row-major (row i = the i-th right singular vector), orthonormal rows. */
  vt: Float64Array;
  /** Jacobi sweeps used. */
  sweeps: number;
}

export interface SvdOptions {
  /** Relative orthogonality tolerance (default √max(m,n)·2⁻⁵²). */
  tol?: number;
  /** Sweeps before giving up with an error (default 80). */
  maxSweeps?: number;
}

function checkShape(a: ArrayLike<number>, m: number, n: number): void {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) {
    throw new RangeError(`shape ${m}×${n} must be positive integers`);
  }
  if (a.length !== m * n) throw new RangeError(`${a.length} values do not fill ${m}×${n}`);
}

/** Rows p and q (length len, at offsets op and oq) of `a` ← the plane rotation (c, s) of them. */
function rotateRows(a: Float64Array, op: number, oq: number, len: number, c: number, s: number) {
  for (let i = 0; i < len; i++) {
    const x = a[op + i];
    const y = a[oq + i];
    a[op + i] = c * x - s * y;
    a[oq + i] = s * x + c * y;
  }
}

/**
 * Orthogonalises the k rows (length L) of `g` in place by Jacobi rotations, applying the same
 * rotations to the rows of `w` (k×k, starts as I). Returns the number of sweeps.
 */
function jacobiRows(
  g: Float64Array,
  w: Float64Array,
  k: number,
  len: number,
  tol: number,
  maxSweeps: number,
): number {
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let rotations = 0;
    for (let p = 0; p < k - 1; p++) {
      const op = p * len;
      const wp = p * k;
      for (let q = p + 1; q < k; q++) {
        const oq = q * len;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < len; i++) {
          const x = g[op + i];
          const y = g[oq + i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        rotations++;
        // Rotation zeroing the (p, q) inner product: t = tan θ is the smaller root of
        // t² + 2ζt − 1 = 0 with ζ = (β − α)/(2γ).
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.abs(zeta) > 1e150
          ? 1 / (2 * zeta)
          : (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotateRows(g, op, oq, len, c, s);
        rotateRows(w, wp, q * k, k, c, s);
      }
    }
    if (rotations === 0) return sweep;
  }
  throw new Error(`svd: no convergence in ${maxSweeps} Jacobi sweeps`);
}

/**
 * Replaces rows `missing` of the k×len row-major `vecs` by unit vectors orthogonal to all the
 * other rows (Gram–Schmidt, twice, of standard basis vectors).
 */
export function completeOrthonormal(
  vecs: Float64Array,
  k: number,
  len: number,
  missing: number[],
): void {
  const isMissing = new Uint8Array(k);
  for (const r of missing) isMissing[r] = 1;
  const done: number[] = [];
  for (let r = 0; r < k; r++) if (!isMissing[r]) done.push(r);
  const v = new Float64Array(len);
  let e = 0;
  for (const r of missing) {
    for (; e < len; e++) {
      v.fill(0);
      v[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const d of done) {
          let dot = 0;
          for (let i = 0; i < len; i++) dot += vecs[d * len + i] * v[i];
          for (let i = 0; i < len; i++) v[i] -= dot * vecs[d * len + i];
        }
      }
      let nrm = 0;
      for (let i = 0; i < len; i++) nrm += v[i] * v[i];
      nrm = Math.sqrt(nrm);
      if (nrm > 0.5) {
        for (let i = 0; i < len; i++) vecs[r * len + i] = v[i] / nrm;
        done.push(r);
        e++;
        break;
      }
    }
    if (done[done.length - 1] !== r) throw new Error("svd: orthonormal completion failed");
  }
}

/** The thin SVD of the row-major m×n matrix `a` (see the module comment). */
export function svd(a: ArrayLike<number>, m: number, n: number, opts: SvdOptions = {}): Svd {
  checkShape(a, m, n);
  const transposed = m < n;
  const k = Math.min(m, n);
  const len = Math.max(m, n);
  const tol = opts.tol ?? Math.sqrt(len) * Number.EPSILON;
  const maxSweeps = opts.maxSweeps ?? 80;
  if (!(tol > 0)) throw new RangeError(`tol: ${tol} must be > 0`);
  // Scale to max |a| = 1 so that squared norms neither overflow nor underflow.
  let amax = 0;
  for (let i = 0; i < a.length; i++) amax = Math.max(amax, Math.abs(a[i]));
  if (!Number.isFinite(amax)) throw new RangeError("svd: the matrix has non-finite entries");
  const scale = amax > 0 ? 1 / amax : 1;
  // g: k rows of length len = the columns of A (m ≥ n) or its rows (m < n).
  const g = new Float64Array(k * len);
  if (transposed) { for (let i = 0; i < a.length; i++) g[i] = a[i] * scale; }
  else {for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) g[j * len + i] = a[i * n + j] * scale;
    }}
  const w = new Float64Array(k * k);
  for (let i = 0; i < k; i++) w[i * k + i] = 1;
  const sweeps = amax > 0 ? jacobiRows(g, w, k, len, tol, maxSweeps) : 0;

  const norms = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    let q = 0;
    for (let i = 0; i < len; i++) q += g[p * len + i] ** 2;
    norms[p] = Math.sqrt(q);
  }
  const order = Array.from(norms.keys()).sort((x, y) => norms[y] - norms[x] || x - y);
  // Normalised long-side vectors, in descending order; zero ones are completed afterwards.
  const long = new Float64Array(k * len);
  const short = new Float64Array(k * k);
  const s = new Float64Array(k);
  const zero: number[] = [];
  order.forEach((p, r) => {
    s[r] = norms[p] / scale;
    short.set(w.subarray(p * k, (p + 1) * k), r * k);
    if (norms[p] === 0) zero.push(r);
    else for (let i = 0; i < len; i++) long[r * len + i] = g[p * len + i] / norms[p];
  });
  if (zero.length) completeOrthonormal(long, k, len, zero);
  // Not transposed: A = Σ s_r long_r short_rᵀ (long ∈ R^m, short ∈ R^n).
  // Transposed: Aᵀ = Σ s_r long_r short_rᵀ, so A = Σ s_r short_r long_rᵀ (short ∈ R^m).
  const [uRows, vRows] = transposed ? [short, long] : [long, short];
  const u = new Float64Array(m * k);
  for (let r = 0; r < k; r++) for (let i = 0; i < m; i++) u[i * k + r] = uRows[r * m + i];
  return { m, n, k, u, s, vt: vRows, sweeps };
}

/** U_r·diag(s_r)·V_rᵀ with the r leading triplets (default all), row-major m×n. */
export function reconstruct(d: Svd, rank: number = d.k): Float64Array {
  if (!Number.isInteger(rank) || rank < 0 || rank > d.k) {
    throw new RangeError(`rank: ${rank} must be an integer in [0, ${d.k}]`);
  }
  const { m, n, k, u, s, vt } = d;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let r = 0; r < rank; r++) {
      const c = u[i * k + r] * s[r];
      if (c === 0) continue;
      const v = r * n;
      for (let j = 0; j < n; j++) out[row + j] += c * vt[v + j];
    }
  }
  return out;
}
