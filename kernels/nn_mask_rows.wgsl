// Zeroes the rows r of a rows×cols matrix whose mask[r] is 0 (pruning), one thread per element.
#include "nn_common.wgsl"

struct Params {
  count: u32, // rows·cols
  cols: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(wid, lid, nwg);
  if (i < p.count && mask[i / p.cols] == 0u) {
    w[i] = 0.0;
  }
}
