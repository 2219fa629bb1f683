// One thread per element of C = α·op(A)·op(B) (+ C) (ReLU'd with p.relu), no shared memory: the variant for tiny
// shapes and for CPU adapters. The A_INDEX / B_INDEX placeholders give the flat index of op(A)[row, kk]
// and op(B)[kk, col] for the mode (see lib/ops/gemm.ts).

// p (Params) and the buffers: GEMM_NAIVE in lib/gpu/kernels.ts.

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.y;
  let col = gid.x;
  if (row >= p.m || col >= p.n) {
    return;
  }
  var s = 0.0;
  for (var kk = 0u; kk < p.k; kk++) {
    s = fma(a[{{A_INDEX}}], b[{{B_INDEX}}], s);
  }
  let idx = row * p.n + col;
  var x = p.alpha * s;
  if (p.accumulate != 0u) {
    x += c[idx];
  }
  if (p.relu != 0u) {
    x = select(0.0, x, x > 0.0);
  }
  c[idx] = x;
}
