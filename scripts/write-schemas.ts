/**
 * `npm run schemas`: writes protocol/schemas/*.schema.json from the TypeBox sources: the
 * protocol's own, and the benchmark's scorecard (published beside them, sourced in bench/).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from 'typebox';
import { Scorecard } from '../bench/scorecard-schema.ts';
import { PUBLISHED_SCHEMAS, renderSchema } from '../protocol/published.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../protocol/schemas');
const bench = [{ file: 'scorecard.schema.json', schema: Scorecard as TSchema }];
for (const { file, schema } of [...PUBLISHED_SCHEMAS, ...bench]) {
  writeFileSync(join(dir, file), renderSchema(schema));
  console.log(`wrote protocol/schemas/${file}`);
}
