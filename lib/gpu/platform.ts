/**
 * What the GPU layer needs from its host, behind one small interface: the text of a kernel file
 * and an environment setting. The numerical layers reach the host only through `platform()`, so
 * the same lib/ runs under Deno (the default, which reads kernels/ from disk) and in a browser
 * page (web/, which installs a platform whose kernels were inlined at build time).
 */

export interface Platform {
  /** Short name for logs and result records ("deno", "browser"). */
  name: string;
  /** The text of `kernels/<file>`; throws an error naming the file when it cannot. */
  readKernel(file: string): string;
  /** An environment setting, or undefined where the host has none. */
  env(name: string): string | undefined;
}

let installed: Platform | undefined;

/** Replaces the host platform (the web page calls this before it touches the GPU). */
export function setPlatform(p: Platform): void {
  installed = p;
}

/** The installed platform; under Deno, a default one that reads kernels/ from disk. */
export function platform(): Platform {
  return installed ??= denoPlatform();
}

/** The Deno host, found through globalThis so that a browser bundle never needs Deno. */
function denoPlatform(): Platform {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (deno === undefined) {
    throw new Error(
      "no platform installed: outside Deno, call setPlatform() with a kernel source first",
    );
  }
  const dir = new URL("../../kernels/", import.meta.url);
  return {
    name: "deno",
    readKernel: (file) => {
      try {
        return deno.readTextFileSync(new URL(file, dir));
      } catch (err) {
        throw new Error(`cannot read kernel kernels/${file}: ${(err as Error).message}`);
      }
    },
    env: (name) => deno.env.get(name),
  };
}
