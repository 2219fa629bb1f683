// Thread indices for a 1-D grid folded into 2-D by groups1d (lib/gpu/runtime.ts), {{WG}} threads
// per workgroup.

// Flat index of the workgroup.
fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.y * nwg.x + wid.x;
}

// Flat index of the thread.
fn flat_index(wid: vec3<u32>, lid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return group_index(wid, nwg) * {{WG}}u + lid.x;
}

// Threads in the grid: the stride of a grid-stride loop.
fn thread_count(nwg: vec3<u32>) -> u32 {
  return nwg.x * nwg.y * {{WG}}u;
}
