/**
 * A static file server for the built site, bound to 127.0.0.1 only: GET/HEAD of files under the
 * site folder, nothing else (no directory listings, no path outside the folder).
 */
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".bin": "application/octet-stream",
  ".json": "application/json",
};

/** Starts serving `dir` on 127.0.0.1:`port` (0 picks a free port). */
export function serveSite(dir: string, port: number): Deno.HttpServer<Deno.NetAddr> {
  const root = normalize(dir);
  return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed", { status: 405 });
    }
    let path = decodeURIComponent(new URL(req.url).pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) return new Response("not found", { status: 404 });
    try {
      const body = await Deno.readFile(file);
      return new Response(req.method === "HEAD" ? null : body, {
        headers: { "content-type": TYPES[extname(file)] ?? "application/octet-stream" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}
