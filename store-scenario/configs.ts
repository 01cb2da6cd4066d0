/**
 * Where the intersection configs of a scenario from stored data come from: the configs the
 * collector learned (`{spool dir}/configs/`), the retained configs on the broker, or a config or
 * scenario file. One attempt each (a command, not a service).
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { loadConfigs } from '../collector/config-cache.ts';
import { connectOnce } from '../ops/connect-once.ts';
import {
  formatProblems,
  type IntersectionConfig,
  parseTopic,
  topics,
  validateIntersection,
} from '../protocol/index.ts';

/** The configs the collector keeps in `dir` (its `{spool dir}/configs/`); bad files named. */
export function configsFromDir(dir: string): { configs: IntersectionConfig[]; skipped: string[] } {
  const r = loadConfigs(dir);
  if (r.configs.length === 0 && r.skipped.length === 0)
    throw new Error(
      `no intersection config in ${dir} (the collector keeps them in {spool dir}/configs/)`,
    );
  return r;
}

/** Every intersection in a config file (one config) or a scenario file (its intersections). */
export function configsFromFile(file: string): IntersectionConfig[] {
  const text = readFileSync(file, 'utf8');
  return configsIn(/\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text), file);
}

/** Every intersection in a parsed config or scenario file; `file` names it in errors. */
export function configsIn(value: unknown, file: string): IntersectionConfig[] {
  const v = value as { intersections?: unknown } | null | undefined;
  const list: unknown[] = Array.isArray(v?.intersections) ? v.intersections : [value];
  return list.map((c, i) => {
    const r = validateIntersection(c);
    if (!r.ok) throw new Error(`${file}: intersection ${i + 1}: ${formatProblems(r.problems)}`);
    return r.value;
  });
}

/**
 * The retained configs on a broker: subscribes to `{root}/v1/+/config` and collects until no new
 * one came for `quietMs` (retained messages arrive at once), at most `timeoutMs`.
 */
export async function configsFromMqtt(
  url: string,
  auth: { username?: string; password?: string; root?: string },
  quietMs = 1000,
  timeoutMs = 10_000,
): Promise<{ configs: IntersectionConfig[]; skipped: string[] }> {
  const root = auth.root ?? 'traffic';
  const client = await connectOnce(url, {
    ...auth,
    fallbackClientId: `openphase-scenario-${process.pid}`,
    timeoutMs,
    what: 'read configs',
  });
  const configs = new Map<string, IntersectionConfig>();
  const skipped: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let quiet = setTimeout(resolve, quietMs);
      const end = setTimeout(resolve, timeoutMs);
      client.on('message', (topic, payload) => {
        clearTimeout(quiet);
        quiet = setTimeout(() => {
          clearTimeout(end);
          resolve();
        }, quietMs);
        const parsed = parseTopic(topic, root);
        if (parsed?.kind !== 'config') return;
        try {
          const r = validateIntersection(JSON.parse(payload.toString('utf8')));
          if (r.ok && r.value.id === parsed.intersection) configs.set(r.value.id, r.value);
          else skipped.push(parsed.intersection);
        } catch {
          skipped.push(parsed.intersection);
        }
      });
      client.subscribeAsync(topics(root).filters.config, { qos: 1 }).catch(reject);
    });
  } finally {
    await client.endAsync();
  }
  return { configs: [...configs.values()].sort((a, b) => a.id.localeCompare(b.id)), skipped };
}
