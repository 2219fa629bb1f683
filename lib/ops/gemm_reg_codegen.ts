/**
 * Generates the unrolled parts of kernels/gemm_reg.wgsl, the barrier-free register-blocked GEMM
 * for CPU adapters: each invocation computes an RM×RN block of C straight from global memory,
 * K four at a time, in RM·RN/4 vec4 accumulators with constant names (acc{i}_{q}: row i, columns
 * 4q..4q+3). Every index into them is a constant: no private array indexed at run time
 * (docs/webgpu.md §3).
 *
 * Per step of four k the kernel reads, for each of its rows, four k of op(A), and for each group
 * of four columns, four k of op(B), as vec4 where the operand's contiguous dimension is a
 * multiple of 4 and as scalars otherwise, then does RM·RN/4 vec4 FMAs per k. Rows and
 * columns past M, N are read clamped to the last one (no branch in the loop) and not stored.
 */
import type { Defines } from "../gpu/shader.ts";
import type { GemmMode } from "./gemm_codegen.ts";
import { operandLayouts } from "./gemm_codegen.ts";

/** RM×RN outputs per invocation, WX×WY invocations per workgroup. */
export interface RegShape {
  rm: number;
  rn: number;
  wx: number;
  wy: number;
  /** K per loop step: 4 (vec4 loads along k where allowed) or 1 (smaller code); default 4. */
  ku?: 1 | 4;
}

const LANES = ["x", "y", "z", "w"];

function indent(lines: string[], spaces: number): string {
  const pad = " ".repeat(spaces);
  return lines.map((l) => (l ? pad + l : l)).join("\n");
}

/** Rows (of C) and columns one workgroup covers. */
export function regTile(s: RegShape): { rows: number; cols: number } {
  return { rows: s.rm * s.wy, cols: s.rn * s.wx };
}

export function regShapeName(s: RegShape): string {
  return `r${s.rm}x${s.rn}${s.ku === 1 ? "k1" : ""}w${s.wx}x${s.wy}`;
}

/** Throws unless the shape can be generated. */
export function checkRegShape(s: RegShape): void {
  const ok = [s.rm, s.rn, s.wx, s.wy].every((v) => Number.isInteger(v) && v >= 1) &&
    s.rm % 4 === 0 && s.rn % 4 === 0 && s.rm * s.rn <= 256 && (s.ku ?? 4) in { 1: 1, 4: 4 };
  if (!ok) throw new Error(`bad register-blocked GEMM shape ${JSON.stringify(s)}`);
}

/**
 * Defines for kernels/gemm_reg.wgsl. `vecA` / `vecB`: read that operand as vec4 (its contiguous
 * dimension must be a multiple of 4; gemm.ts checks).
 */
export function regGemmDefines(
  s: RegShape,
  mode: GemmMode,
  vecAllowedA: boolean,
  vecAllowedB: boolean,
): Defines {
  checkRegShape(s);
  const kc = operandLayouts(mode);
  const ku = s.ku ?? 4;
  // One k per step reads a k-contiguous operand as scalars.
  const vecA = vecAllowedA && (ku === 4 || !kc.a);
  const vecB = vecAllowedB && (ku === 4 || !kc.b);
  const rows = [...Array(s.rm).keys()];
  const cols = [...Array(s.rn).keys()];
  const quads = [...Array(s.rn / 4).keys()];
  const ks = [0, 1, 2, 3];
  const setup: string[] = [];
  const body4: string[] = [];
  const body1: string[] = [];
  // Expressions for op(A)[row i, k + kk] (scalar) in the 4-step and in the tail (kk = 0).
  let aAt4: (i: number, kk: number) => string;
  let aAt1: (i: number) => string;
  // Expressions for op(B)[k + kk, cols 4q..4q+3] (vec4).
  let bAt4: (kk: number, q: number) => string;
  let bAt1: (q: number) => string;

  if (kc.a) {
    // A is M×K row-major: row i's k values are contiguous.
    for (const i of rows) {
      const r = `min(row0 + ${i}u, p.m - 1u)`;
      setup.push(vecA ? `let ra${i} = ${r} * kq_len;` : `let ra${i} = ${r} * p.k;`);
      body4.push(
        vecA
          ? `let av${i} = a[ra${i} + kq];`
          : `let av${i} = vec4<f32>(${ks.map((kk) => `a[ra${i} + k${kk ? ` + ${kk}u` : ""}]`)});`,
      );
      body1.push(`let as${i} = a_at(${vecA ? `4u * ra${i}` : `ra${i}`} + k);`);
    }
    aAt4 = (i, kk) => `av${i}.${LANES[kk]}`;
    aAt1 = (i) => `as${i}`;
  } else if (vecA) {
    // tn, A is K×M with M % 4 = 0: one vec4 holds four rows at one k.
    for (let q = 0; q < s.rm / 4; q++) setup.push(`let qa${q} = min(row0 / 4u + ${q}u, m4 - 1u);`);
    for (const kk of ks) {
      for (let q = 0; q < s.rm / 4; q++) {
        body4.push(`let at${kk}_${q} = a[(k + ${kk}u) * m4 + qa${q}];`);
      }
    }
    for (let q = 0; q < s.rm / 4; q++) body1.push(`let at_${q} = a[k * m4 + qa${q}];`);
    aAt4 = (i, kk) => `at${kk}_${i >> 2}.${LANES[i & 3]}`;
    aAt1 = (i) => `at_${i >> 2}.${LANES[i & 3]}`;
  } else {
    for (const i of rows) setup.push(`let ra${i} = min(row0 + ${i}u, p.m - 1u);`);
    for (const kk of ks) {
      body4.push(`let ka${kk} = (k + ${kk}u) * p.m;`);
      for (const i of rows) body4.push(`let at${kk}_${i} = a[ka${kk} + ra${i}];`);
    }
    for (const i of rows) body1.push(`let as${i} = a[k * p.m + ra${i}];`);
    aAt4 = (i, kk) => `at${kk}_${i}`;
    aAt1 = (i) => `as${i}`;
  }

  if (kc.b) {
    // nt, B is N×K: column j's k values are contiguous.
    for (const j of cols) {
      const c = `min(col0 + ${j}u, p.n - 1u)`;
      setup.push(vecB ? `let cb${j} = ${c} * kq_len;` : `let cb${j} = ${c} * p.k;`);
      body4.push(
        vecB
          ? `let bc${j} = b[cb${j} + kq];`
          : `let bc${j} = vec4<f32>(${ks.map((kk) => `b[cb${j} + k${kk ? ` + ${kk}u` : ""}]`)});`,
      );
      body1.push(`let bs${j} = b_at(${vecB ? `4u * cb${j}` : `cb${j}`} + k);`);
    }
    const gather = (q: number, f: (j: number) => string) =>
      `vec4<f32>(${[0, 1, 2, 3].map((l) => f(4 * q + l)).join(", ")})`;
    bAt4 = (kk, q) => gather(q, (j) => `bc${j}.${LANES[kk]}`);
    bAt1 = (q) => gather(q, (j) => `bs${j}`);
  } else if (vecB) {
    // nn / tn, B is K×N with N % 4 = 0: one vec4 holds four columns at one k.
    for (const q of quads) setup.push(`let qb${q} = min(col0 / 4u + ${q}u, n4 - 1u);`);
    for (const kk of ks) {
      for (const q of quads) body4.push(`let bt${kk}_${q} = b[(k + ${kk}u) * n4 + qb${q}];`);
    }
    for (const q of quads) body1.push(`let bt_${q} = b[k * n4 + qb${q}];`);
    bAt4 = (kk, q) => `bt${kk}_${q}`;
    bAt1 = (q) => `bt_${q}`;
  } else {
    for (const j of cols) setup.push(`let cb${j} = min(col0 + ${j}u, p.n - 1u);`);
    const quad = (base: string, q: number) =>
      `vec4<f32>(${[0, 1, 2, 3].map((l) => `b[${base} + cb${4 * q + l}]`).join(", ")})`;
    for (const kk of ks) {
      body4.push(`let kb${kk} = (k + ${kk}u) * p.n;`);
      for (const q of quads) body4.push(`let bt${kk}_${q} = ${quad(`kb${kk}`, q)};`);
    }
    body1.push(`let kb = k * p.n;`);
    for (const q of quads) body1.push(`let bt_${q} = ${quad("kb", q)};`);
    bAt4 = (kk, q) => `bt${kk}_${q}`;
    bAt1 = (q) => `bt_${q}`;
  }

  const acc: string[] = [];
  const store: string[] = [];
  for (const i of rows) {
    store.push(`let r${i} = row0 + ${i}u;`);
    for (const q of quads) {
      acc.push(`var acc${i}_${q} = vec4<f32>();`);
      for (const l of [0, 1, 2, 3]) {
        store.push(`store_out(r${i}, col0 + ${4 * q + l}u, acc${i}_${q}.${LANES[l]});`);
      }
    }
  }
  // Per k, in order: sums run k = 0, 1, … for every output, whatever the shape.
  for (const kk of ks) {
    for (const i of rows) {
      for (const q of quads) {
        body4.push(`acc${i}_${q} = fma(vec4<f32>(${aAt4(i, kk)}), ${bAt4(kk, q)}, acc${i}_${q});`);
      }
    }
  }
  for (const i of rows) {
    for (const q of quads) {
      body1.push(`acc${i}_${q} = fma(vec4<f32>(${aAt1(i)}), ${bAt1(q)}, acc${i}_${q});`);
    }
  }
  const scalarAt = (v: boolean, x: string) => v ? `${x}[i / 4u][i % 4u]` : `${x}[i]`;
  return {
    WG_X: s.wx,
    WG_Y: s.wy,
    RM: s.rm,
    RN: s.rn,
    A_ELEM: vecA ? "vec4<f32>" : "f32",
    B_ELEM: vecB ? "vec4<f32>" : "f32",
    A_AT: scalarAt(vecA, "a"),
    B_AT: scalarAt(vecB, "b"),
    SETUP: indent(setup, 2),
    ACC_DECL: indent(acc, 2),
    BODY4: ku === 4 ? indent(body4, 4) : "",
    K_MAIN: ku === 4 ? "p.k & ~3u" : "0u",
    BODY1: indent(body1, 4),
    STORE: indent(store, 2),
  };
}
