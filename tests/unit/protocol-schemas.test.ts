/**
 * The published JSON Schema files: no drift from the TypeBox source, complete descriptions,
 * valid draft 2020-12 for an independent validator (Ajv), and every file and example in the spec.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  validateCounts,
  validateDecision,
  validateIntersection,
  validateScenario,
  validateSignal,
  validateStatus,
} from '../../protocol/index.ts';
import { PUBLISHED_SCHEMAS, renderSchema } from '../../protocol/published.ts';

const root = join(import.meta.dirname, '../..');
const dir = join(root, 'protocol/schemas');
const spec = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
const published = PUBLISHED_SCHEMAS.map((s) => [s.file, s.schema] as const);
const readSchema = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));

describe('published JSON Schemas', () => {
  it.each(published)('%s matches its TypeBox source (run `npm run schemas`)', (file, schema) => {
    expect(readFileSync(join(dir, file), 'utf8')).toBe(renderSchema(schema));
  });

  it('every file in protocol/schemas/ comes from the source', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));
    const known = new Set(PUBLISHED_SCHEMAS.map((s) => s.file));
    // Files published from elsewhere (the benchmark's scorecard) are allowed when listed here.
    expect(files.filter((f) => !known.has(f) && f !== 'scorecard.schema.json')).toEqual([]);
  });

  it.each(published)('%s has $id, title, examples and a description everywhere', (file) => {
    const json = readSchema(file);
    expect(json.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(json.$id).toBe(`https://openphase.org/schemas/v1/${file}`);
    expect(json.title).toEqual(expect.any(String));
    expect(json.description).toEqual(expect.any(String));
    expect(json.examples?.length).toBeGreaterThan(0);
    const missing: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      for (const key of ['properties', 'patternProperties'] as const) {
        const props = n[key] as Record<string, Record<string, unknown>> | undefined;
        if (!props) continue;
        for (const [k, v] of Object.entries(props)) {
          if (typeof v.description !== 'string' || v.description.length < 3)
            missing.push(`${path}/${key}/${k}`);
        }
      }
      for (const [k, v] of Object.entries(n)) if (k !== 'examples') walk(v, `${path}/${k}`);
    };
    walk(json, '');
    expect(missing).toEqual([]);
  });

  it('all load together in one strict 2020-12 validator and accept their own examples', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    for (const [file] of published) ajv.addSchema(readSchema(file));
    for (const [file] of published) {
      const json = readSchema(file);
      const validate = ajv.getSchema(json.$id);
      expect(validate, file).toBeDefined();
      for (const example of json.examples) {
        expect(validate!(example), `${file}: ${JSON.stringify(validate!.errors)}`).toBe(true);
      }
    }
  });

  it('an independent validator refuses what ours refuses (schema-level rules)', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const counts = ajv.compile(readSchema('counts.schema.json'));
    const good = readSchema('counts.schema.json').examples[0];
    const bad = [
      { ...good, seq: -1 },
      { ...good, seq: 1.5 },
      { ...good, sensor: 'a/b' },
      { ...good, extra: true },
      { ...good, detectors: [{ id: 'd', count: 1, occupancy: 1.5 }] },
      { ...good, detectors: Array.from({ length: 257 }, (_, i) => ({ id: `d${i}`, count: 0 })) },
    ];
    for (const b of bad) {
      expect(counts(b)).toBe(false);
      expect(validateCounts(b).ok).toBe(false);
    }
  });
});

describe('docs/protocol.md', () => {
  it.each(published)('mentions %s', (file) => {
    expect(spec).toContain(file);
  });

  const blocks = [...spec.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
  const validators = [
    validateCounts,
    validateStatus,
    validateDecision,
    validateSignal,
    validateIntersection,
    validateScenario,
  ] as ((v: unknown) => { ok: boolean })[];

  it('every JSON example in the spec is a valid message', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const b of blocks)
      expect(
        validators.some((v) => v(b).ok),
        JSON.stringify(b),
      ).toBe(true);
  });

  it('the permissive-lefts example is refused without its permissive lists, as the spec says', () => {
    const twoPhase = blocks.find((b) => b.id === 'b' && Array.isArray(b.phases));
    expect(validateIntersection(twoPhase).ok).toBe(true);
    for (const p of twoPhase.phases) delete p.permissive;
    const r = validateIntersection(twoPhase);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.message)).toContain(
        "phase 'ns' holds conflicting movements N-left and S-through",
      );
  });

  it.each(published.filter(([f]) => f !== 'scenario.schema.json'))(
    'carries the first example of %s verbatim',
    (_file, schema) => {
      const example = (schema as unknown as { examples: unknown[] }).examples[0];
      expect(blocks).toContainEqual(example);
    },
  );
});
