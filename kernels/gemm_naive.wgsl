// One thread per element of C = α·op(A)·op(B) (+ C), no shared memory: the variant for tiny
// shapes and for CPU adapters. The A_INDEX / B_INDEX placeholders give the flat index of op(A)[row, kk]
// and op(B)[kk, col] for the mode (see lib/ops/gemm.ts).

struct Params {
  m: u32,
  n: u32,
  k: u32,
  alpha: f32,
  accumulate: u32,
  k_chunk: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

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
  c[idx] = x;
}
