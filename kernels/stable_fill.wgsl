// Fills buffers with stable draws (sampler CLI, tests). Element i uses the words of counter
// (offset + i, step, 0, 0) under key (seed, stream): x -> u1, y -> u2, whatever the grid shape
// (grid-stride loop over logical indices). The map_* entry points evaluate the samplers on given
// word pairs, so tests can reach the extreme words 0 and 0xffffffff.
#include "stable.wgsl"

struct Params {
  seed: u32,
  stream: u32,
  step: u32,
  offset: u32,
  n: u32,
  alpha: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> words: array<u32>;

fn thread_count(nwg: vec3<u32>) -> u32 {
  return nwg.x * nwg.y * {{WG}}u;
}

fn thread_index(wid: vec3<u32>, lid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return (wid.y * nwg.x + wid.x) * {{WG}}u + lid.x;
}

fn draw(i: u32) -> vec4<u32> {
  return philox4x32_10(vec4<u32>(p.offset + i, p.step, 0u, 0u), vec2<u32>(p.seed, p.stream));
}

@compute @workgroup_size({{WG}})
fn fill_sas(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = thread_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let r = draw(i);
    out[i] = stable_sas(p.alpha, r.x, r.y);
  }
}

@compute @workgroup_size({{WG}})
fn fill_positive(@builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = thread_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    let r = draw(i);
    out[i] = stable_positive_half(p.alpha, r.x, r.y);
  }
}

// out[i] = sampler(words[2i], words[2i+1]).
@compute @workgroup_size({{WG}})
fn map_sas(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = thread_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = stable_sas(p.alpha, words[2u * i], words[2u * i + 1u]);
  }
}

@compute @workgroup_size({{WG}})
fn map_positive(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = thread_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = stable_positive_half(p.alpha, words[2u * i], words[2u * i + 1u]);
  }
}

@compute @workgroup_size({{WG}})
fn map_normal(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var i = thread_index(wid, lid, nwg); i < p.n; i += thread_count(nwg)) {
    out[i] = stable_normal(words[2u * i], words[2u * i + 1u]);
  }
}
