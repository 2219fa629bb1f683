/**
 * Adaptive Gauss–Kronrod (7/15-point) quadrature in f64: a panel is accepted when its Kronrod and
 * Gauss values agree to `tol` (absolute, halved with each bisection) or to f64 rounding, else it
 * is halved.
 */

// Kronrod nodes in [0, 1] (symmetric) and weights; the odd-indexed nodes are the Gauss points.
const XK = [
  0.991455371120812639206854697526329,
  0.949107912342758524526189684047851,
  0.864864423359769072789712788640926,
  0.741531185599394439863864773280788,
  0.586087235467691130294144845693013,
  0.405845151377397166906606412076961,
  0.207784955007898467600689403773245,
  0,
];
const WK = [
  0.022935322010529224963732008058970,
  0.063092092629978553290700663189204,
  0.104790010322250183839876322541518,
  0.140653259715525918745189590510238,
  0.169004726639267902826583426598550,
  0.190350578064785409913256402421014,
  0.204432940075298892414161999234649,
  0.209482141084727828012999174891714,
];
// Gauss weights for XK[1], XK[3], XK[5], XK[7].
const WG = [
  0.129484966168869693270611432679082,
  0.279705391489276667901467771423780,
  0.381830050505118944950369775488975,
  0.417959183673469387755102040816327,
];

function panel(f: (x: number) => number, a: number, b: number): [number, number] {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  let k = 0;
  let g = 0;
  for (let i = 0; i < 8; i++) {
    const fx = i === 7 ? f(c) : f(c - h * XK[i]) + f(c + h * XK[i]);
    k += WK[i] * fx;
    if (i % 2 === 1) g += WG[(i - 1) / 2] * fx;
  }
  return [k * h, g * h];
}

/** ∫_a^b f to about `tol` absolute error (throws if the recursion cannot reach it). */
export function integrate(
  f: (x: number) => number,
  a: number,
  b: number,
  tol = 1e-13,
  maxDepth = 40,
): number {
  const rec = (lo: number, hi: number, t: number, depth: number): number => {
    const [k, g] = panel(f, lo, hi);
    // Also accept at the f64 rounding level of the panel (tiny panels near a steep edge).
    if (Math.abs(k - g) <= Math.max(t, 1e-15 * Math.abs(k))) return k;
    if (depth >= maxDepth) throw new Error(`integrate: no convergence on [${lo}, ${hi}]`);
    const mid = 0.5 * (lo + hi);
    return rec(lo, mid, t / 2, depth + 1) + rec(mid, hi, t / 2, depth + 1);
  };
  return rec(a, b, tol, 0);
}
