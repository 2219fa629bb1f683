// Register-blocked GEMM without shared memory or barriers, for CPU adapters (llvmpipe,
// lavapipe): C = α·op(A)·op(B) (+ C), then max(0, ·) with p.relu, row-major, any M, N, K ≥ 1.
//
// Invocation (x, y) of the global grid computes rows y·RM .. y·RM+RM−1 and columns
// x·RN .. x·RN+RN−1 of C from global memory, K four at a time, then the K mod 4 tail one at a
// time. On a CPU rasteriser a barrier is a coroutine switch and workgroup memory is ordinary
// memory behind the same caches, so staging tiles (kernels/gemm_tiled.wgsl) costs more than it
// saves; here each invocation reuses every loaded value RM or RN times from registers instead.
// Rows and columns past M, N are read clamped to the last one and never stored.
//
// The unrolled parts (SETUP, ACC_DECL, BODY4, BODY1, STORE) and the element types of a and b
// (f32, or vec4<f32> for 16-byte loads when that operand's contiguous dimension is a multiple
// of 4) come from lib/ops/gemm_reg_codegen.ts. Each output is summed k = 0, 1, … in order.

// p (Params) and the buffers: GEMM_REG in lib/gpu/kernels.ts.

const RM = {{RM}}u;
const RN = {{RN}}u;

fn a_at(i: u32) -> f32 {
  return {{A_AT}};
}

fn b_at(i: u32) -> f32 {
  return {{B_AT}};
}

// C[r, col] = α·v (+ C[r, col]), then max(0, ·) with p.relu (NaN → 0); the old value is read
// only when accumulating, so garbage or NaN in C never leaks into a plain product.
fn store_out(r: u32, col: u32, v: f32) {
  if (r < p.m && col < p.n) {
    let idx = r * p.n + col;
    var x = p.alpha * v;
    if (p.accumulate != 0u) {
      x += c[idx];
    }
    if (p.relu != 0u) {
      x = select(0.0, x, x > 0.0);
    }
    c[idx] = x;
  }
}

@compute @workgroup_size({{WG_X}}, {{WG_Y}})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * RM;
  let col0 = gid.x * RN;
  // No barrier anywhere: an invocation with nothing to store may leave at once.
  if (row0 >= p.m || col0 >= p.n) {
    return;
  }
  let m4 = p.m / 4u;
  let n4 = p.n / 4u;
  let kq_len = p.k / 4u;
{{SETUP}}
{{ACC_DECL}}
  let k_main = {{K_MAIN}};
  for (var k = 0u; k < k_main; k += 4u) {
    let kq = k / 4u;
{{BODY4}}
  }
  for (var k = k_main; k < p.k; k++) {
{{BODY1}}
  }
{{STORE}}
}
