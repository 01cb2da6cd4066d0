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

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/** The exact text written for a schema: draft 2020-12, stable key order, trailing newline. */
export function renderSchema(schema: TSchema): string {
  return `${JSON.stringify({ $schema: DRAFT, ...JSON.parse(JSON.stringify(schema)) }, null, 2)}\n`;
}
