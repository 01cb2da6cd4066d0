/**
 * The intersection configs the collector has learned, kept on disk (one JSON file each) so a
 * restarted collector enriches from its first message instead of waiting for retained configs.
 * Bound: the collector remembers at most MAX_CONFIGS intersections (collector.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../ops/make-dirs.ts';
import { type IntersectionConfig, isValidId, validateIntersection } from '../protocol/index.ts';

/** Valid configs found in `dir`; unreadable or invalid files are skipped and named in `skipped`. */
export function loadConfigs(dir: string): { configs: IntersectionConfig[]; skipped: string[] } {
  const configs: IntersectionConfig[] = [];
  const skipped: string[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return { configs, skipped };
  }
  for (const f of files) {
    try {
      const r = validateIntersection(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      if (r.ok) configs.push(r.value);
      else skipped.push(f);
    } catch {
      skipped.push(f);
    }
  }
  return { configs, skipped };
}

/** Writes one config atomically (temp file + rename). */
export async function saveConfig(dir: string, config: IntersectionConfig): Promise<void> {
  if (!isValidId(config.id)) return;
  makeDirs(dir);
  const file = join(dir, `${config.id}.json`);
  await writeFile(`${file}.tmp`, JSON.stringify(config));
  await rename(`${file}.tmp`, file);
}
