/** The JSON Schema files published in protocol/schemas/, with their TypeBox sources. */
import type { TSchema } from 'typebox';
import { IntersectionConfig } from './intersection-schema.ts';
import { Counts, Decision, Signal, Status } from './messages.ts';
import { Scenario } from './scenario-schema.ts';

export const PUBLISHED_SCHEMAS: { file: string; schema: TSchema }[] = [
  { file: 'counts.schema.json', schema: Counts },
  { file: 'status.schema.json', schema: Status },
  { file: 'decision.schema.json', schema: Decision },
  { file: 'signal.schema.json', schema: Signal },
  { file: 'intersection.schema.json', schema: IntersectionConfig },
  { file: 'scenario.schema.json', schema: Scenario },
];

// protocol/schemas/ also holds the benchmark's scorecard schema: not a protocol message, so its
// source stays with the benchmark (bench/scorecard-schema.ts) and scripts/write-schemas.ts
// writes it; protocol/ imports nothing outside itself.

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * TypeBox writes tuples the draft-07 way (`items: [...]`, `additionalItems`), which a 2020-12
 * validator rejects as an invalid schema; 2020-12 says `prefixItems` and `items: false`.
 */
function toDraft2020(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toDraft2020);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  const n = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(n)) {
    if (k === 'examples') out[k] = v;
    else if (k === 'items' && Array.isArray(v)) out.prefixItems = v.map(toDraft2020);
    else if (k === 'additionalItems' && Array.isArray(n.items)) out.items = v;
    else out[k] = toDraft2020(v);
  }
  return out;
}

/** The exact text written for a schema: draft 2020-12, stable key order, trailing newline. */
export function renderSchema(schema: TSchema): string {
  const plain = toDraft2020(JSON.parse(JSON.stringify(schema))) as Record<string, unknown>;
  return `${JSON.stringify({ $schema: DRAFT, ...plain }, null, 2)}\n`;
}
