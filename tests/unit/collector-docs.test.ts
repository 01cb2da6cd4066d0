/** docs/influxdb.md must name every sink, measurement, reject reason, metric and error code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../collector/metrics.ts';
import { MEASUREMENTS, REJECT_REASONS } from '../../collector/schema.ts';
import { SINKS } from '../../collector/sinks/registry.ts';
import { SINK_ERROR_CODES } from '../../collector/sinks/types.ts';

const doc = readFileSync(new URL('../../docs/influxdb.md', import.meta.url), 'utf8');

describe('docs/influxdb.md', () => {
  it('documents every sink, measurement and reject reason', () => {
    for (const { kind } of SINKS) expect(doc, kind).toContain(`\`${kind}\``);
    for (const m of Object.values(MEASUREMENTS)) expect(doc, m).toContain(`\`${m}\``);
    for (const r of REJECT_REASONS) expect(doc, r).toContain(`| \`${r}\` |`);
  });

  it('documents every metric and error code', async () => {
    const { registry } = createMetrics();
    for (const metric of registry.getMetricsAsArray()) {
      expect(doc, metric.name).toContain(metric.name);
    }
    for (const code of Object.values(SINK_ERROR_CODES)) expect(doc, code).toContain(code);
  });
});
