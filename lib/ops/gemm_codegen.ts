/**
 * Generates the unrolled parts of kernels/gemm_tiled.wgsl for one tile shape and mode. The
 * accumulators are TM separate vec4 variables and every index into them is a constant: a
 * runtime loop over a private accumulator array spilled to memory and ran 12× slower in our H100
 * probe (docs/webgpu.md §3).
 */
import type { Defines } from "../gpu/shader.ts";

/** Which operand is transposed: C = A·B ("nn"), A·Bᵀ ("nt") or Aᵀ·B ("tn"). */
export type GemmMode = "nn" | "nt" | "tn";

/** A BM×BN output tile per workgroup, TM×4 outputs per thread, K staged BK at a time. */
export interface TileShape {
  bm: number;
  bn: number;
  bk: number;
  tm: number;
}

const LANES = ["x", "y", "z", "w"];

export function tileThreads(t: TileShape): number {
  return (t.bn / 4) * (t.bm / t.tm);
}

/** Bytes of shared memory the tile needs. */
export function tileSharedBytes(t: TileShape): number {
  return 4 * t.bk * (t.bm + t.bn);
}

/**
 * How one operand is laid out in memory. `kContiguous`: element (r, k) of the op() view is at
 * r·K + k (A in nn/nt, B in nt); otherwise at k·ld + r with ld = `ld` (A in tn, B in nn/tn).
 */
interface OperandLayout {
  /** "a" or "b": the binding, and the prefix of the tile slices and their setters. */
  name: "a" | "b";
  /** Tile rows (BM for A, BN for B) and where this workgroup's rows start and end. */
  rows: number;
  rowStart: string;
  rowLimit: string;
  kContiguous: boolean;
  /** Leading dimension of a k-major operand (p.m or p.n). */
  ld: string;
  vec4: boolean;
}

/** For each operand, whether its contiguous dimension is k (else it is M or N). */
export function operandLayouts(mode: GemmMode): { a: boolean; b: boolean } {
  return { a: mode !== "tn", b: mode === "nt" };
}

function indent(lines: string[], spaces: number): string {
  const pad = " ".repeat(spaces);
  return lines.map((l) => (l ? pad + l : l)).join("\n");
}

/**
 * Statements staging one operand's BK-deep slab into shared memory (every thread takes part).
 * Consecutive threads read consecutive addresses where the layout allows: along k for a
 * k-contiguous operand, along rows otherwise.
 */
function genLoad(t: TileShape, o: OperandLayout): string {
  const threads = tileThreads(t);
  const elems = (o.rows * t.bk) / (o.vec4 ? 4 : 1);
  if (elems % threads !== 0 && threads % elems !== 0) {
    throw new Error(`tile ${JSON.stringify(t)}: ${elems} loads do not split over ${threads}`);
  }
  const x = o.name;
  // With fewer loads than threads the surplus threads skip (no barrier inside, so that is safe).
  const body: string[] = elems < threads
    ? [`let e = tid;`, `if (e >= ${elems}u) {`, `  break;`, `}`]
    : [`let e = i * THREADS + tid;`];
  if (o.kContiguous && o.vec4) {
    // One vec4 = four consecutive k of one row, transposed into the k-major tile.
    body.push(
      `let kq = e % ${t.bk / 4}u;`,
      `let r = e / ${t.bk / 4}u;`,
      `let gr = ${o.rowStart} + r;`,
      `let gk = k0 + 4u * kq;`,
      `var v = vec4<f32>();`,
      `if (gr < ${o.rowLimit} && gk < k_end) {`,
      `  v = ${x}[(gr * p.k + gk) / 4u];`,
      `}`,
      ...LANES.map((lane, j) => `put_${x}(4u * kq + ${j}u, r, v.${lane});`),
    );
  } else if (o.kContiguous) {
    body.push(
      `let kk = e % ${t.bk}u;`,
      `let r = e / ${t.bk}u;`,
      `let gr = ${o.rowStart} + r;`,
      `let gk = k0 + kk;`,
      `var v = 0.0;`,
      `if (gr < ${o.rowLimit} && gk < k_end) {`,
      `  v = ${x}[gr * p.k + gk];`,
      `}`,
      `put_${x}(kk, r, v);`,
    );
  } else if (o.vec4) {
    // One vec4 = four consecutive rows at one k: already the tile's layout.
    body.push(
      `let rq = e % ${o.rows / 4}u;`,
      `let kk = e / ${o.rows / 4}u;`,
      `let gr = ${o.rowStart} + 4u * rq;`,
      `let gk = k0 + kk;`,
      `var v = vec4<f32>();`,
      `if (gr < ${o.rowLimit} && gk < k_end) {`,
      `  v = ${x}[(gk * ${o.ld} + gr) / 4u];`,
      `}`,
      `set_quad_${x}(kk * ${o.rows / 4}u + rq, v);`,
    );
  } else {
    body.push(
      `let r = e % ${o.rows}u;`,
      `let kk = e / ${o.rows}u;`,
      `let gr = ${o.rowStart} + r;`,
      `let gk = k0 + kk;`,
      `var v = 0.0;`,
      `if (gr < ${o.rowLimit} && gk < k_end) {`,
      `  v = ${x}[gk * ${o.ld} + gr];`,
      `}`,
      `put_${x}(kk, r, v);`,
    );
  }
  return indent(
    [
      `for (var i = 0u; i < ${Math.max(1, elems / threads)}u; i++) {`,
      ...body.map((l) => "  " + l),
      `}`,
    ],
    4,
  );
}

/** One k step of the inner loop: one vec4 of B, TM/4 vec4s of A, TM vec4 FMAs. */
function genFma(t: TileShape): string {
  const lines = [`let bv = quad_b(kk * ${t.bn / 4}u + lid.x);`];
  for (let q = 0; q < t.tm / 4; q++) {
    lines.push(`let a${q} = quad_a(kk * ${t.bm / 4}u + lid.y * ${t.tm / 4}u + ${q}u);`);
    for (let j = 0; j < 4; j++) {
      const i = 4 * q + j;
      lines.push(`acc${i} = fma(vec4<f32>(a${q}.${LANES[j]}), bv, acc${i});`);
    }
  }
  return indent(lines, 6);
}

function genStore(t: TileShape, split: boolean): string {
  const lines = [`let c0 = col0 + 4u * lid.x;`];
  for (let i = 0; i < t.tm; i++) {
    lines.push(`let r${i} = row0 + lid.y * ${t.tm}u + ${i}u;`);
    for (let j = 0; j < 4; j++) {
      const col = j === 0 ? "c0" : `c0 + ${j}u`;
      lines.push(
        split
          ? `store_partial(wid.z, r${i}, ${col}, acc${i}.${LANES[j]});`
          : `store_out(r${i}, ${col}, acc${i}.${LANES[j]});`,
      );
    }
  }
  return indent(lines, 2);
}

/** Defines for kernels/gemm_tiled.wgsl. `vecA`/`vecB`: use 16-byte global loads for A/B. */
export function tiledGemmDefines(
  t: TileShape,
  mode: GemmMode,
  vecA: boolean,
  vecB: boolean,
  split: boolean,
): Defines {
  if (
    t.tm % 4 !== 0 || t.bm % t.tm !== 0 || t.bn % 4 !== 0 || t.bk % 4 !== 0 ||
    (t.bk * t.bn) % 16 !== 0
  ) {
    throw new Error(`bad GEMM tile ${JSON.stringify(t)}`);
  }
  const kc = operandLayouts(mode);
  const acc: string[] = [];
  for (let i = 0; i < t.tm; i++) acc.push(`var acc${i} = vec4<f32>();`);
  return {
    BM: t.bm,
    BN: t.bn,
    BK: t.bk,
    WG_X: t.bn / 4,
    WG_Y: t.bm / t.tm,
    A_ELEM: vecA ? "vec4<f32>" : "f32",
    B_ELEM: vecB ? "vec4<f32>" : "f32",
    TILE_A_MATS: (t.bk * t.bm) / 16,
    TILE_B_MATS: (t.bk * t.bn) / 16,
    ACC_DECL: indent(acc, 2),
    LOAD_A: genLoad(t, {
      name: "a",
      rows: t.bm,
      rowStart: "row0",
      rowLimit: "p.m",
      kContiguous: kc.a,
      ld: "p.m",
      vec4: vecA,
    }),
    LOAD_B: genLoad(t, {
      name: "b",
      rows: t.bn,
      rowStart: "col0",
      rowLimit: "p.n",
      kContiguous: kc.b,
      ld: "p.n",
      vec4: vecB,
    }),
    FMA: genFma(t),
    STORE: genStore(t, split),
  };
}
