/**
 * A minimal tar reader (ustar, with GNU long names and pax `path` records), enough for the CIFAR
 * binary archives. Each 512-byte header holds: name [0,100), size as octal ASCII [124,136),
 * checksum [148,156), type flag at 156, ustar magic at 257, name prefix [345,500). File data
 * follows the header, padded to a multiple of 512. Two zero blocks end the archive.
 */

import { DataFormatError } from "./dataset.ts";

const BLOCK = 512;

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

const decoder = new TextDecoder();

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function octal(header: Uint8Array, start: number, length: number, file: string): number {
  const text = field(header, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new DataFormatError(file, `bad octal tar field "${text}"`);
  return text === "" ? 0 : parseInt(text, 8);
}

/** Header checksum: the byte sum of the header with the checksum field read as 8 spaces. */
function headerChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum;
}

/** The regular files in an (uncompressed) tar archive, as views into `bytes`. */
export function readTar(bytes: Uint8Array, file: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return entries; // end-of-archive marker
    if (octal(header, 148, 8, file) !== headerChecksum(header)) {
      throw new DataFormatError(file, `tar header checksum mismatch at byte ${offset}`);
    }
    const size = octal(header, 124, 12, file);
    const type = String.fromCharCode(header[156]);
    const start = offset + BLOCK;
    if (start + size > bytes.length) {
      throw new DataFormatError(file, `truncated tar: entry at byte ${offset} needs ${size} bytes`);
    }
    const data = bytes.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;

    if (type === "L") { // GNU: the data is the next entry's full name
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === "x") { // pax extended header: "len key=value\n" records
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(decoder.decode(data));
      if (path) longName = path[1];
      continue;
    }
    const isUstar = field(header, 257, 5) === "ustar";
    const prefix = isUstar ? field(header, 345, 155) : "";
    const name = longName ??
      (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if (type === "0" || type === "\0") entries.push({ name, data });
  }
  if (offset < bytes.length) {
    throw new DataFormatError(file, `truncated tar header at byte ${offset}`);
  }
  return entries; // no end-of-archive blocks, but every entry was complete
}
