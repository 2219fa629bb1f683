// Fills a buffer from the counter-based RNG, for tests and for the sampler CLI. Element i uses
// counter (offset + i, step, 0, 0) under key (seed, stream), whatever the grid shape: each
// thread walks a grid-stride loop over the elements.
#include "philox.wgsl"
#include "grid_index.wgsl"

// p (Params) and the buffers: RNG_FILL in lib/gpu/kernels.ts.

fn draw(i: u32) -> vec4<u32> {
  return philox4x32_10(vec4<u32>(p.offset + i, p.step, 0u, 0u), vec2<u32>(p.seed, p.stream));
}

// All four words of each draw: out[4i .. 4i+3].
@compute @workgroup_size({{WG}})
fn fill_bits(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let r = draw(i);
    out[4u * i] = r.x;
    out[4u * i + 1u] = r.y;
    out[4u * i + 2u] = r.z;
    out[4u * i + 3u] = r.w;
  }
}

// One uniform (word x) per element, as f32 bits.
@compute @workgroup_size({{WG}})
fn fill_uniform(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = bitcast<u32>(unit_f32(draw(i).x));
  }
}

// One N(0,1) per element (first Box-Muller output of words x, y).
@compute @workgroup_size({{WG}})
fn fill_normal(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
          @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let r = draw(i);
    out[i] = bitcast<u32>(normal2_f32(r.x, r.y).x);
  }
}

// One Exp(1) per element (word x).
@compute @workgroup_size({{WG}})
fn fill_exponential(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = bitcast<u32>(exponential_f32(draw(i).x));
  }
}
