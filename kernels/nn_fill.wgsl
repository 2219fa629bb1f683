// t[i] = bits for i < count; f32 values are passed as their bit pattern, so one kernel fills
// f32 and u32 tensors exactly (no float operation touches the value).
#include "grid_index.wgsl"

// p (Params) and the buffers: NN_FILL in lib/gpu/kernels.ts.

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(wid, lid, nwg);
  if (i < p.count) {
    t[i] = p.bits;
  }
}
