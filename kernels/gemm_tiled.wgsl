// Register-blocked tiled GEMM: C = α·op(A)·op(B) (+ C), row-major, any M, N, K ≥ 1.
//
// A workgroup of (BN/4) × (BM/TM) threads computes one BM×BN tile of C; thread (x, y) owns rows
// y·TM .. y·TM+TM−1 and columns 4x .. 4x+3 of it, kept in TM vec4 accumulators with constant
// names (acc0, acc1, …). Per step of BK along K the workgroup stages op(A)[BM×BK] and
// op(B)[BK×BN] in shared memory, both k-major so that one vec4 read gives four rows of A or
// four columns of B. Out-of-range elements are staged as 0, so edge tiles need no other care.
//
// The unrolled parts (placeholders ACC_DECL, LOAD_A, LOAD_B, FMA, STORE) and the element types
// of a and b (f32, or vec4<f32> for 16-byte global loads when that operand's contiguous
// dimension is a multiple of 4) come from lib/ops/gemm_codegen.ts.
//
// Split-K: workgroup z covers K range [z·k_chunk, min(K, (z+1)·k_chunk)). With one split the
// result goes straight to C; with several, each split writes raw partial sums to
// c[z·M·N + r·N + col] and kernels/gemm_splitk_reduce.wgsl adds them in a fixed order.

// p (Params) and the buffers: GEMM_TILED in lib/gpu/kernels.ts.

const BM = {{BM}}u;
const BN = {{BN}}u;
const BK = {{BK}}u;
const WG_X = {{WG_X}}u; // BN / 4
const WG_Y = {{WG_Y}}u; // BM / TM
const THREADS = WG_X * WG_Y;

// Shared tiles, k-major, as vec4 "quads": quad q of tile_a holds op(A)[row0 + 4j .. 4j+3, k0 + kk]
// with q = kk·BM/4 + j (tile_b likewise with columns). They are declared as arrays of mat4x4
// (four quads each, same bytes) because naga zero-initialises workgroup memory with one
// constant per array, and Mesa's GL compiler (llvmpipe) takes time superlinear in its element
// count: 512 vec4 elements compiled in ~2.7 s, 128 mat4x4 elements in well under 1 s.
var<workgroup> tile_a: array<mat4x4<f32>, {{TILE_A_MATS}}>;
var<workgroup> tile_b: array<mat4x4<f32>, {{TILE_B_MATS}}>;

fn quad_a(q: u32) -> vec4<f32> {
  return tile_a[q / 4u][q % 4u];
}

fn quad_b(q: u32) -> vec4<f32> {
  return tile_b[q / 4u][q % 4u];
}

fn set_quad_a(q: u32, v: vec4<f32>) {
  tile_a[q / 4u][q % 4u] = v;
}

fn set_quad_b(q: u32, v: vec4<f32>) {
  tile_b[q / 4u][q % 4u] = v;
}

fn put_a(kk: u32, r: u32, v: f32) {
  let q = kk * (BM / 4u) + r / 4u;
  tile_a[q / 4u][q % 4u][r % 4u] = v;
}

fn put_b(kk: u32, col: u32, v: f32) {
  let q = kk * (BN / 4u) + col / 4u;
  tile_b[q / 4u][q % 4u][col % 4u] = v;
}

// C[r, col] = α·v (+ C[r, col]), then max(0, ·) with p.relu (NaN → 0); the old value is read only when accumulating, so garbage or
// NaN in C never leaks into a plain product.
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

// Split-K: raw partial sums of slice z go to c[(z·M + r)·N + col].
fn store_partial(z: u32, r: u32, col: u32, v: f32) {
  if (r < p.m && col < p.n) {
    c[(z * p.m + r) * p.n + col] = v;
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tid = lid.y * WG_X + lid.x;
  let row0 = wid.y * BM;
  let col0 = wid.x * BN;
  let k_begin = wid.z * p.k_chunk;
  let k_end = min(p.k, k_begin + p.k_chunk);
{{ACC_DECL}}
  for (var k0 = k_begin; k0 < k_end; k0 += BK) {
{{LOAD_A}}
{{LOAD_B}}
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
{{FMA}}
    }
    workgroupBarrier();
  }
{{STORE}}
}
