/**
 * The broker's counters as Prometheus text (pure): connected clients, publishes, and every
 * refusal per device and reason — a sensor publishing to a mistyped topic is acknowledged
 * (MQTT 3.1.1 has no way to say no), so this count and the log are where it shows.
 */
import type { BrokerStats } from './types.ts';

const P = 'openphase_broker_';

/** A label value as the text format wants it: backslash, quote and newline escaped. */
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function family(
  name: string,
  help: string,
  type: 'gauge' | 'counter',
  rows: [Record<string, string>, number][],
): string {
  const lines = [`# HELP ${P}${name} ${help}`, `# TYPE ${P}${name} ${type}`];
  for (const [labels, v] of rows) {
    const l = Object.entries(labels)
      .map(([k, x]) => `${k}="${label(x)}"`)
      .join(',');
    lines.push(`${P}${name}${l ? `{${l}}` : ''} ${v}`);
  }
  return `${lines.join('\n')}\n`;
}

/** @example brokerMetricsText(broker.stats()) // '# HELP openphase_broker_clients …' */
export function brokerMetricsText(s: BrokerStats): string {
  const refused: [Record<string, string>, number][] = [];
  for (const [device, byReason] of Object.entries(s.refused)) {
    for (const [reason, n] of Object.entries(byReason)) refused.push([{ device, reason }, n]);
  }
  const byReason = (m: Record<string, number>): [Record<string, string>, number][] =>
    Object.entries(m).map(([reason, n]) => [{ reason }, n]);
  return [
    family('clients', 'connected clients', 'gauge', [[{}, s.clients]]),
    family('published_total', 'publishes accepted', 'counter', [[{}, s.published]]),
    family('throttled_total', 'publishes that waited for the rate limit', 'counter', [
      [{}, s.throttled],
    ]),
    family(
      'refused_total',
      'publishes and subscriptions refused, by device and reason (acknowledged, delivered to nobody)',
      'counter',
      refused,
    ),
    family(
      'connect_refused_total',
      'connections refused, by reason',
      'counter',
      byReason(s.connectRefused),
    ),
    family(
      'disconnected_total',
      'connections the broker cut, by reason',
      'counter',
      byReason(s.disconnected),
    ),
  ].join('');
}
