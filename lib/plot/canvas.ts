/**
 * The little of <canvas> that Plot's continuous colour legends use: fill 1×1 rectangles with
 * CSS colours, then `toDataURL()` as a PNG. linkedom has no canvas, so without this a figure
 * with a colour ramp legend would throw.
 */
import { deflateSync } from "node:zlib";

/** CSS colour → RGBA bytes; supports #rgb, #rrggbb, rgb(…) and rgba(…) as d3 writes them. */
export function parseCssColour(css: string): [number, number, number, number] {
  const s = css.trim().toLowerCase();
  let m = /^#([0-9a-f]{3})$/.exec(s);
  if (m) {
    return [...[...m[1]].map((c) => parseInt(c + c, 16)), 255] as [number, number, number, number];
  }
  m = /^#([0-9a-f]{6})$/.exec(s);
  if (m) {
    const v = parseInt(m[1], 16);
    return [v >> 16, (v >> 8) & 255, v & 255, 255];
  }
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(s);
  if (m) {
    const c = (x: string) => Math.max(0, Math.min(255, Math.round(Number(x))));
    const a = m[4] === undefined ? 255 : Math.round(Math.max(0, Math.min(1, Number(m[4]))) * 255);
    return [c(m[1]), c(m[2]), c(m[3]), a];
  }
  throw new Error(`unsupported canvas colour "${css}"`);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An RGBA image as PNG bytes (8-bit, no filtering). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method, no interlace
  const raw = new Uint8Array(height * (1 + 4 * width));
  for (let y = 0; y < height; y++) {
    raw.set(rgba.subarray(y * 4 * width, (y + 1) * 4 * width), y * (1 + 4 * width) + 1);
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A canvas whose 2D context supports `fillStyle` + `fillRect` and exports PNG data URLs. */
export class StubCanvas {
  width = 300;
  height = 150;
  #pixels?: Uint8Array;

  getContext(kind: string) {
    if (kind !== "2d") return null;
    const context = {
      fillStyle: "#000",
      fillRect: (x: number, y: number, w: number, h: number) =>
        this.#fill(parseCssColour(context.fillStyle), x, y, w, h),
    };
    return context;
  }

  #fill(rgba: number[], x: number, y: number, w: number, h: number): void {
    const px = this.#buffer();
    for (let j = Math.max(0, y); j < Math.min(this.height, y + h); j++) {
      for (let i = Math.max(0, x); i < Math.min(this.width, x + w); i++) {
        px.set(rgba, 4 * (j * this.width + i));
      }
    }
  }

  #buffer(): Uint8Array {
    const size = 4 * this.width * this.height;
    if (this.#pixels?.length !== size) this.#pixels = new Uint8Array(size);
    return this.#pixels;
  }

  toDataURL(): string {
    const png = encodePng(this.width, this.height, this.#buffer());
    return `data:image/png;base64,${btoa(String.fromCharCode(...png))}`;
  }
}
