/**
 * Reading an intersection description from a file (YAML or JSON; one config or a list), with
 * every problem found (pure apart from the read).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type IntersectionConfig, intersectionProblems, type Problem } from '../protocol/index.ts';

export interface ConfigFile {
  configs: IntersectionConfig[];
  problems: Problem[];
}

/** Parses and checks the text of a config file; a list is checked item by item (`/0/…`). */
export function checkConfigText(text: string): ConfigFile {
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (e) {
    return {
      configs: [],
      problems: [
        { code: 'not-yaml', path: '/', message: `not YAML or JSON: ${(e as Error).message}` },
      ],
    };
  }
  const items = Array.isArray(value) ? value : [value];
  const problems: Problem[] = [];
  if (items.length === 0)
    problems.push({ code: 'missing-field', path: '/', message: 'the list holds no intersection' });
  const ids = new Map<string, number>();
  items.forEach((item, i) => {
    const base = Array.isArray(value) ? `/${i}` : '';
    problems.push(...intersectionProblems(item, base));
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === 'string') {
      if (ids.has(id))
        problems.push({
          code: 'duplicate-intersection',
          path: `${base}/id`,
          message: `intersection '${id}' is listed twice`,
        });
      ids.set(id, i);
    }
  });
  return { configs: problems.length === 0 ? (items as IntersectionConfig[]) : [], problems };
}

export function checkConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      configs: [],
      problems: [
        { code: 'unreadable', path: '/', message: `cannot read ${file}: ${(e as Error).message}` },
      ],
    };
  }
  return checkConfigText(text);
}
