// Per-row factors of Types I and III (lib/noise/inject.ts): row r uses the words of counter
// (r, step, 0, 0) under key (seed, stream), stream = the layer's "row" stream. Grid-stride loop
// over rows, so the output does not depend on the grid shape.
//   row_sas:           out[r] = scale · Z_r,   Z_r ~ SαS(α, 1)            (Type I)
//   row_sqrt_positive: out[r] = scale · √A_r,  E e^{-uA} = exp(-u^{α/2})  (Type III)
#include "stable.wgsl"

struct Params {
  seed: u32,
  stream: u32,
  step: u32,
  n: u32, // rows
  cols: u32, // unused here; same struct as noise_inject.wgsl
  alpha: f32,
  scale: f32,
  row0: u32, // first row of this chunk: out[r] is row row0 + r of the layer
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

fn thread_count(nwg: vec3<u32>) -> u32 {
  return nwg.x * nwg.y * {{WG}}u;
}

fn thread_index(wid: vec3<u32>, lid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return (wid.y * nwg.x + wid.x) * {{WG}}u + lid.x;
}

fn row_words(r: u32) -> vec4<u32> {
  return philox4x32_10(vec4<u32>(p.row0 + r, p.step, 0u, 0u), vec2<u32>(p.seed, p.stream));
}

@compute @workgroup_size({{WG}})
fn row_sas(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
           @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var r = thread_index(wid, lid, nwg); r < p.n; r += thread_count(nwg)) {
    let w = row_words(r);
    out[r] = p.scale * stable_sas(p.alpha, w);
  }
}

@compute @workgroup_size({{WG}})
fn row_sqrt_positive(@builtin(workgroup_id) wid: vec3<u32>,
                     @builtin(local_invocation_id) lid: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>) {
  for (var r = thread_index(wid, lid, nwg); r < p.n; r += thread_count(nwg)) {
    let w = row_words(r);
    out[r] = p.scale * sqrt(stable_positive_half(p.alpha, w));
  }
}
