// dst[i, j] = src[indices[offset + i], j] for i < count, j < cols: minibatch assembly. Words are
// copied as u32, so the same kernel gathers f32 rows and u32 labels (cols = 1) bit for bit.
// Grid-stride loop over the elements (see nn_elementwise.wgsl).
#include "grid_index.wgsl"

// p (Params) and the buffers: NN_GATHER in lib/gpu/kernels.ts.

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var e = flat_index(wid, lid, nwg); e < p.total; e += thread_count(nwg)) {
    let i = e / p.cols;
    let j = e - i * p.cols;
    dst[e] = src[indices[p.offset + i] * p.cols + j];
  }
}
