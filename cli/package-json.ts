/** The package's package.json, found from the sources (cli/) and from the compiled dist/cli/ alike. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageJson(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
