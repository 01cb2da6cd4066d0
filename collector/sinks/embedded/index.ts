/** The embedded store as a plugin: options, factory and counts reader (README.md). */

import { resolve } from 'node:path';
import { defineSink } from '../plugin.ts';
import { createEmbeddedHistory } from './history.ts';
import { createEmbeddedSink, type EmbeddedOptions, type EmbeddedSink } from './store.ts';

export { createEmbeddedSink, type EmbeddedOptions, type EmbeddedSink } from './store.ts';

export const embedded = defineSink<'embedded', EmbeddedOptions>({
  kind: 'embedded',
  summary: 'append-only line-protocol files + in-memory window',
  fallback: true,
  options: [
    {
      key: 'dir',
      flag: 'data-dir',
      arg: 'dir',
      env: 'OPENPHASE_DATA_DIR',
      default: 'data/points',
      description: 'embedded store directory (when no InfluxDB is given)',
    },
  ],
  create: createEmbeddedSink,
  // The store answers counts queries from its own window.
  reader: (_o, sink) => sink as EmbeddedSink,
  history: (o) => createEmbeddedHistory(o),
  identity: (o) => `embedded ${resolve(o.dir)}`,
  describe: (o) => `the embedded store in ${resolve(o.dir)}`,
});
