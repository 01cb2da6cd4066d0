/** `npm run schemas`: writes protocol/schemas/*.schema.json from the TypeBox sources. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OTHER_SCHEMAS, PUBLISHED_SCHEMAS, renderSchema } from './published.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'schemas');
for (const { file, schema } of [...PUBLISHED_SCHEMAS, ...OTHER_SCHEMAS]) {
  writeFileSync(join(dir, file), renderSchema(schema));
  console.log(`wrote protocol/schemas/${file}`);
}
