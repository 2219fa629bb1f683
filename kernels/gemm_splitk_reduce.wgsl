// Second pass of split-K GEMM: C[i] = α·Σ_z partials[z·count + i] (+ C[i]) (ReLU'd with p.relu), z = 0, 1, … in
// order, so the result does not depend on scheduling. 1-D grid folded into 2-D (groups1d).

#include "grid_index.wgsl"

// p (Params) and the buffers: GEMM_SPLITK_REDUCE in lib/gpu/kernels.ts.

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(wid, lid, nwg);
  if (i >= p.count) {
    return;
  }
  var s = 0.0;
  for (var z = 0u; z < p.splits; z++) {
    s += partials[z * p.count + i];
  }
  var x = p.alpha * s;
  if (p.accumulate != 0u) {
    x += c[i];
  }
  if (p.relu != 0u) {
    x = select(0.0, x, x > 0.0);
  }
  c[i] = x;
}
