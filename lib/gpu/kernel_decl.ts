/**
 * A kernel's interface, declared once: its uniform parameters and storage buffers, in order. From
 * the declaration come the WGSL header prepended to kernels/<file>.wgsl (`struct Params` and the
 * `@binding` lines, which the .wgsl files no longer write) and the checks of every dispatch
 * (named parameters and buffers, see runtime.ts). The declarations are in kernels.ts.
 *
 * Binding rule: the parameters are the uniform `p: Params` at @group(0) @binding(0) (a kernel
 * without parameters has neither); the buffers follow at bindings 1, 2, … in declaration order.
 * Pipelines use automatic layouts, which drop the buffers an entry point never touches, so
 * `entries` says which buffers a dispatch of each entry point binds.
 */

export type WgslScalar = "u32" | "i32" | "f32";
export type StorageAccess = "read" | "read_write";

export interface BufferDecl {
  access: StorageAccess;
  /** Element type as WGSL writes it: a scalar, or a {{DEFINE}} filled in per variant. */
  element: string;
  /** The dtype a bound Tensor must have; "any" where the kernel copies raw 32-bit words. */
  dtype: WgslScalar | "any";
}

export interface KernelDecl<
  P extends string = string,
  B extends string = string,
  E extends string = string,
> {
  /** kernels/<file>.wgsl */
  readonly file: string;
  /** Fields of the uniform struct, in order (each 4 bytes). */
  readonly params: Readonly<Record<P, WgslScalar>>;
  /** Storage buffers, in binding order. */
  readonly buffers: Readonly<Record<B, BufferDecl>>;
  /** Entry point → the buffers its dispatch binds. */
  readonly entries: Readonly<Record<E, readonly B[]>>;
}

/** A storage buffer the kernel only reads; `dtype` defaults to the element type. */
export function read(element: string, dtype?: WgslScalar | "any"): BufferDecl {
  return { access: "read", element, dtype: dtype ?? scalarDtype(element) };
}

/** A storage buffer the kernel writes (and may read). */
export function readWrite(element: string, dtype?: WgslScalar | "any"): BufferDecl {
  return { access: "read_write", element, dtype: dtype ?? scalarDtype(element) };
}

function scalarDtype(element: string): WgslScalar {
  if (element === "u32" || element === "i32" || element === "f32") return element;
  throw new Error(`element type ${element} needs an explicit dtype`);
}

const IDENT = /^[a-z_][a-z0-9_]*$/i;

/**
 * Checks and freezes a declaration. Without `entries` the kernel has one entry point, "main",
 * which binds every buffer.
 */
export function declareKernel<P extends string, B extends string, E extends string = "main">(
  decl: {
    file: string;
    params: Record<P, WgslScalar>;
    buffers: Record<B, BufferDecl>;
    entries?: Record<E, readonly B[]>;
  },
): KernelDecl<P, B, E> {
  const buffers = Object.keys(decl.buffers) as B[];
  const entries = decl.entries ?? ({ main: buffers } as unknown as Record<E, readonly B[]>);
  const fail = (what: string) => {
    throw new Error(`kernel ${decl.file}: ${what}`);
  };
  if (!/^[\w-]+$/.test(decl.file)) fail("bad file name");
  for (const name of [...Object.keys(decl.params), ...buffers, ...Object.keys(entries)]) {
    if (!IDENT.test(name)) fail(`"${name}" is not a WGSL identifier`);
  }
  if (Object.hasOwn(decl.buffers, "p")) fail(`buffer name "p" is taken by the parameters`);
  for (const [entry, used] of Object.entries(entries) as [string, readonly B[]][]) {
    for (const b of used) {
      if (!Object.hasOwn(decl.buffers, b)) fail(`entry ${entry} binds unknown "${b}"`);
    }
  }
  return Object.freeze({
    file: decl.file,
    params: Object.freeze({ ...decl.params }),
    buffers: Object.freeze({ ...decl.buffers }),
    entries: Object.freeze({ ...entries }),
  });
}

/** The WGSL declarations of the parameters and buffers, prepended to the kernel's body. */
export function kernelHeader(decl: KernelDecl): string {
  const lines = [`// Generated from the declaration of ${decl.file} in lib/gpu/kernels.ts.`];
  const params = Object.entries(decl.params);
  if (params.length > 0) {
    lines.push("struct Params {", ...params.map(([name, type]) => `  ${name}: ${type},`), "}");
    lines.push("@group(0) @binding(0) var<uniform> p: Params;");
  }
  Object.entries(decl.buffers).forEach(([name, b], i) => {
    lines.push(
      `@group(0) @binding(${i + 1}) var<storage, ${b.access}> ${name}: array<${b.element}>;`,
    );
  });
  return lines.join("\n") + "\n\n";
}

/** "kernel <file>" or, for a named entry point, "kernel <file>.<entry>": where errors point. */
function where(decl: KernelDecl, entry: string): string {
  return entry === "main" ? `kernel ${decl.file}` : `kernel ${decl.file}.${entry}`;
}

function list(names: string[]): string {
  return names.length ? names.join(", ") : "none";
}

/** Throws unless `entry` is one of the kernel's entry points. */
export function checkEntry(decl: KernelDecl, entry: string): void {
  if (!Object.hasOwn(decl.entries, entry)) {
    throw new Error(
      `kernel ${decl.file}: no entry point "${entry}" (declared: ${
        list(Object.keys(decl.entries))
      })`,
    );
  }
}

/**
 * The bytes of the uniform struct for named values, checked against the declaration: every
 * parameter given exactly once, u32/i32 integers in range, f32 a number. Padded to 16 bytes
 * (uniform structs are 16-byte aligned); undefined when the kernel has no parameters.
 */
export function packParams(
  decl: KernelDecl,
  entry: string,
  values: Readonly<Record<string, number>>,
): Uint8Array | undefined {
  const at = where(decl, entry);
  const fields = Object.entries(decl.params);
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(decl.params, name)) {
      throw new Error(
        `${at}: unknown param "${name}" (declared: ${list(fields.map(([n]) => n))})`,
      );
    }
  }
  if (fields.length === 0) return undefined;
  const words = Math.ceil(fields.length / 4) * 4;
  const view = new DataView(new ArrayBuffer(words * 4));
  fields.forEach(([name, type], i) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${at}: missing param "${name}" (${type})`);
    if (typeof v !== "number") throw new Error(`${at}: param "${name}" is ${type}, got ${v}`);
    if (type === "f32") view.setFloat32(i * 4, v, true);
    else if (type === "u32") {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new Error(`${at}: param "${name}" is u32, got ${v} (an integer in [0, 2^32) needed)`);
      }
      view.setUint32(i * 4, v, true);
    } else {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw new Error(`${at}: param "${name}" is i32, got ${v} (an integer in [-2^31, 2^31))`);
      }
      view.setInt32(i * 4, v, true);
    }
  });
  return new Uint8Array(view.buffer);
}

/**
 * The binding numbers of named buffers for one dispatch of `entry`, checked against the
 * declaration: no unknown name, no buffer the entry does not bind, none it binds missing, and the
 * dtype right where `dtypeOf` knows it. An undefined value counts as not given.
 */
export function bindBuffers<T>(
  decl: KernelDecl,
  entry: string,
  given: Readonly<Record<string, T | undefined>>,
  dtypeOf: (buffer: T) => WgslScalar | undefined,
): { binding: number; buffer: T }[] {
  const at = where(decl, entry);
  checkEntry(decl, entry);
  const declared = Object.keys(decl.buffers);
  const used: readonly string[] = decl.entries[entry];
  for (const [name, buffer] of Object.entries(given)) {
    if (buffer === undefined) continue;
    if (!Object.hasOwn(decl.buffers, name)) {
      throw new Error(`${at}: unknown buffer "${name}" (declared: ${list(declared)})`);
    }
    if (!used.includes(name)) {
      throw new Error(
        `${at}: buffer "${name}" is not bound by this entry (it binds ${list([...used])})`,
      );
    }
  }
  return used.map((name) => {
    const buffer = given[name];
    if (buffer === undefined) throw new Error(`${at}: missing buffer "${name}"`);
    const want = decl.buffers[name].dtype;
    const have = dtypeOf(buffer);
    if (want !== "any" && have !== undefined && have !== want) {
      throw new Error(`${at}: buffer "${name}" must be ${want}, got a ${have} tensor`);
    }
    return { binding: declared.indexOf(name) + 1, buffer };
  });
}
