/**
 * The results store: one folder per finished run, keyed by a hash of (config, code version), and
 * checkpoints of unfinished runs. Layout under `dir`:
 *   runs/<key>/weights.htt   final weights (written first)
 *   runs/<key>/record.json   config, metrics, host info (written last: its presence = finished)
 *   checkpoints/<key>.htt    latest checkpoint of an unfinished run
 * Every write is atomic, so a crash at any point leaves either no record or a whole one.
 */
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic, writeJsonAtomic } from "./atomic.ts";
import { decodeTensors, encodeTensors, type HostTensor } from "./tensors.ts";

export const RunRecordSchema = z.object({
  key: z.string(),
  config: z.unknown(),
  codeVersion: z.string(),
  createdAt: z.string(),
  metrics: z.record(z.string(), z.unknown()),
  host: z.record(z.string(), z.unknown()).optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export class ResultStore {
  constructor(readonly dir: string) {}

  private runDir(key: string): string {
    if (!/^[0-9a-zA-Z_-]+$/.test(key)) throw new Error(`bad result key "${key}"`);
    return join(this.dir, "runs", key);
  }

  checkpointPath(key: string): string {
    return join(this.dir, "checkpoints", `${key}.htt`);
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await Deno.stat(join(this.runDir(key), "record.json"))).isFile;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw err;
    }
  }

  async get(key: string): Promise<RunRecord | undefined> {
    const path = join(this.runDir(key), "record.json");
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${path}: not valid JSON`);
    }
    const parsed = RunRecordSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${path}: malformed record (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }

  async getTensors(key: string): Promise<Record<string, HostTensor>> {
    const path = join(this.runDir(key), "weights.htt");
    return decodeTensors(await Deno.readFile(path), path).tensors;
  }

  /** Stores a finished run: tensors first, the record last. */
  async put(key: string, record: RunRecord, tensors?: Record<string, HostTensor>): Promise<void> {
    const dir = this.runDir(key);
    if (tensors) await writeFileAtomic(join(dir, "weights.htt"), encodeTensors({ key }, tensors));
    await writeJsonAtomic(join(dir, "record.json"), record);
  }

  async list(): Promise<RunRecord[]> {
    const out: RunRecord[] = [];
    try {
      for await (const entry of Deno.readDir(join(this.dir, "runs"))) {
        const rec = entry.isDirectory ? await this.get(entry.name) : undefined;
        if (rec) out.push(rec);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async saveCheckpoint(key: string, meta: unknown, tensors: Record<string, HostTensor>): Promise<void> {
    await writeFileAtomic(this.checkpointPath(key), encodeTensors(meta, tensors));
  }

  async loadCheckpoint(key: string): Promise<{ meta: unknown; tensors: Record<string, HostTensor> } | undefined> {
    const path = this.checkpointPath(key);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    return decodeTensors(bytes, path);
  }

  async clearCheckpoint(key: string): Promise<void> {
    await Deno.remove(this.checkpointPath(key)).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }
}
