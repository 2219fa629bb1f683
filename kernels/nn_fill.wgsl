// t[i] = bits for i < count; f32 values are passed as their bit pattern, so one kernel fills
// f32 and u32 tensors exactly (no float operation touches the value).
#include "nn_common.wgsl"

struct Params {
  count: u32,
  bits: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> t: array<u32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(wid, lid, nwg);
  if (i < p.count) {
    t[i] = p.bits;
  }
}
