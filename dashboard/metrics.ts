/**
 * The dashboard's Prometheus metrics (prom-client, one Registry per dashboard: no global
 * state), read from the source and the live feed at scrape time, followed by whatever the
 * process adds (the demo adds the collector's and the broker's).
 */
import { Gauge, Registry } from 'prom-client';
import type { LiveStats } from './live.ts';
import type { DashboardSource } from './source.ts';

export function createDashboardMetrics(
  source: DashboardSource,
  live: () => LiveStats,
  extra?: () => string | Promise<string>,
) {
  const registry = new Registry();
  const p = 'openphase_dashboard_';
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name: p + name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('intersections', 'intersections known to the dashboard', () => source.ids().length);
  gauge('mqtt_connected', '1 while connected to the broker', () => (source.connected() ? 1 : 0));
  gauge(
    'messages_received',
    'protocol messages received (counter)',
    () => source.counters().messages,
  );
  gauge(
    'messages_rejected',
    'invalid messages (dashboard and collector, counter)',
    () => source.counters().rejected,
  );
  gauge('seq_gaps', 'counts messages lost in seq gaps (counter)', () => source.counters().gaps);
  new Gauge({
    name: `${p}safety_overrides`,
    help: 'safety-monitor overrides seen, by kind (counter)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, n] of Object.entries(source.counters().overridesByKind)) {
        this.set({ kind }, n ?? 0);
      }
    },
  });
  gauge('live_clients', 'connected live-feed WebSocket clients', () => live().clients);
  gauge('live_dropped', 'live clients dropped for not reading (counter)', () => live().dropped);
  gauge('live_frames_sent', 'live-feed frames sent (counter)', () => live().sentFrames);
  return {
    async text(): Promise<string> {
      const own = await registry.metrics();
      const more = extra ? await extra() : '';
      return more ? `${own}\n${more}` : own;
    },
  };
}
