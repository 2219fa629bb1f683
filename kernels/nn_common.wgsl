// Flat thread index for a 1-D grid folded into 2-D by groups1d (lib/gpu/runtime.ts).
fn flat_index(wid: vec3<u32>, lid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return (wid.y * nwg.x + wid.x) * {{WG}}u + lid.x;
}
