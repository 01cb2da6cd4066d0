/**
 * Every problem of an intersection description at once, for `openphase intersection check`:
 * the schema's problems and, as far as the shape allows, the geometry, plan and schedule
 * checks too (an engineer fixes a file in one pass, not one error per run). Pure.
 */
import { checkIntersection } from './intersection.ts';
import type { IntersectionConfig } from './intersection-schema.ts';
import type { Problem } from './problems.ts';
import { validateIntersection } from './validate.ts';

/**
 * All problems of `value` (an intersection config), each with its JSON Pointer; [] when valid.
 * @example intersectionProblems({ id: 'a' }) // [{ path: '/approaches', message: … }, …]
 */
export function intersectionProblems(value: unknown, basePath = ''): Problem[] {
  const r = validateIntersection(value, basePath);
  if (r.ok) return [];
  const out = [...r.problems];
  const seen = new Set(out.map((p) => `${p.path} ${p.message}`));
  const v = value as Partial<IntersectionConfig> | null;
  // The deeper checks need the skeleton (approaches and phases); with it, they add what the
  // schema cannot see. A malformed part makes them throw: then the schema's word stands.
  if (v && typeof v === 'object' && isRecord(v.approaches) && Array.isArray(v.phases)) {
    try {
      for (const p of checkIntersection(v as IntersectionConfig, basePath)) {
        const key = `${p.path} ${p.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push(p);
        }
      }
    } catch {
      // shape too broken for the geometry checks; the schema problems say why
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x);
