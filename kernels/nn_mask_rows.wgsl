// Zeroes the rows r of a rows×cols matrix whose mask[r] is 0 (pruning), one thread per element.
#include "grid_index.wgsl"

// p (Params) and the buffers: NN_MASK_ROWS in lib/gpu/kernels.ts.

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(wid, lid, nwg);
  if (i < p.count && mask[i / p.cols] == 0u) {
    w[i] = 0.0;
  }
}
