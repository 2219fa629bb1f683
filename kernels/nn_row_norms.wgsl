// out[r] = Σ_j w[r, j]², one workgroup per row (grid folded into 2-D): thread t sums columns
// t, t + WG, … in order, then a fixed tree adds the WG partial sums, so the result is the same
// on every run.

#include "grid_index.wgsl"

// p (Params) and the buffers: NN_ROW_NORMS in lib/gpu/kernels.ts.

var<workgroup> partial: array<f32, {{WG}}>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = group_index(wid, nwg);
  if (row >= p.rows) {
    return;
  }
  var s = 0.0;
  for (var j = lid.x; j < p.cols; j += {{WG}}u) {
    let v = w[row * p.cols + j];
    s = fma(v, v, s);
  }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var stride = {{WG}}u / 2u; stride > 0u; stride /= 2u) {
    if (lid.x < stride) {
      partial[lid.x] += partial[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    out[row] = partial[0];
  }
}
