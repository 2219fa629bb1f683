// Fills buffers with stable draws (sampler CLI, tests). Element i uses the four words of counter
// (offset + i, step, 0, 0) under key (seed, stream), whatever the grid shape (grid-stride loop
// over logical indices). The map_* entry points evaluate the samplers on given words (four per
// element), so tests can reach the extreme words 0 and 0xffffffff and condition on the tails.
#include "stable.wgsl"
#include "grid_index.wgsl"

// p (Params) and the buffers: STABLE_FILL in lib/gpu/kernels.ts.

fn draw(i: u32) -> vec4<u32> {
  return philox4x32_10(vec4<u32>(p.offset + i, p.step, 0u, 0u), vec2<u32>(p.seed, p.stream));
}

@compute @workgroup_size({{WG}})
fn fill_sas(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let r = draw(i);
    out[i] = stable_sas(p.alpha, r);
  }
}

@compute @workgroup_size({{WG}})
fn fill_positive(@builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let r = draw(i);
    out[i] = stable_positive_half(p.alpha, r);
  }
}

fn word4(i: u32) -> vec4<u32> {
  return vec4<u32>(words[4u * i], words[4u * i + 1u], words[4u * i + 2u], words[4u * i + 3u]);
}

// out[i] = sampler(words[4i .. 4i+3]).
@compute @workgroup_size({{WG}})
fn map_sas(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = stable_sas(p.alpha, word4(i));
  }
}

@compute @workgroup_size({{WG}})
fn map_positive(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = stable_positive_half(p.alpha, word4(i));
  }
}

@compute @workgroup_size({{WG}})
fn map_normal(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = stable_normal(word4(i));
  }
}

// out[i] = ±t of unit_half64(words[4i], words[4i+1]), negative for the upper half (u = 1 - t).
@compute @workgroup_size({{WG}})
fn map_unit_half(@builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let t = unit_half64(words[4u * i], words[4u * i + 1u]);
    out[i] = select(t, -t, unit_upper_half(words[4u * i]));
  }
}

// out[i] = W = -log u of words[4i+2], words[4i+3] (the exponential the samplers use).
@compute @workgroup_size({{WG}})
fn map_exponential(@builtin(workgroup_id) wid: vec3<u32>,
                   @builtin(local_invocation_id) lid: vec3<u32>,
                   @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = flat_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = stable_exponential(word4(i));
  }
}
