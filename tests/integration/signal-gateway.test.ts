/**
 * The signal gateway's shell on a real embedded broker, with the virtual cabinet: decisions
 * steer the heads, bad payloads count as no decision (the watchdog runs the plan), valid
 * decisions take control back, and a retained config reaches the gateway as a signal device.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { createVirtualAdapter } from '../../field/cabinet/virtual/index.ts';
import { createSignalGateway, type SignalGateway } from '../../field/gateway/service.ts';
import type { IntersectionConfig, Signal } from '../../protocol/index.ts';
import { connectAs, fixtureRegistry, passwordOf } from './broker-fixtures.ts';

const config: IntersectionConfig = {
  v: 1,
  id: 'a',
  approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
  phases: [
    { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 1, maxGreenS: 30 },
    { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 1, maxGreenS: 30 },
  ],
  yellowS: 3,
  allRedS: 0,
  plan: { cycleS: 12, greenS: { ns: 3, ew: 3 } },
  watchdogS: 2,
};

describe('openphase signal (gateway shell) on the embedded broker', () => {
  const broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  let gw: SignalGateway;
  let url = '';
  const signals: { atMs: number; signal: Signal }[] = [];
  const events: Record<string, unknown>[] = [];
  let admin: Awaited<ReturnType<typeof connectAs>>;

  beforeAll(async () => {
    ({ url } = await broker.start());
    admin = await connectAs(url, 'ops');
    admin.on('message', (topic, payload) => {
      if (topic === 'traffic/v1/a/signal')
        signals.push({ atMs: Date.now(), signal: JSON.parse(String(payload)) });
    });
    await admin.subscribeAsync('traffic/v1/a/signal', { qos: 1 });
    gw = createSignalGateway({
      mqttUrl: url,
      username: 'sig-a',
      password: passwordOf('sig-a'),
      cabinets: new Map([['a', (c: IntersectionConfig) => createVirtualAdapter(c)]]),
      configs: [config],
      tickMs: 200,
      backupMs: 1000,
      event: (e) => events.push(e),
      log: () => {},
    });
    await gw.start();
    await vi.waitFor(() => expect(gw.stats().connected).toBe(true), { timeout: 10_000 });
  });
  afterAll(async () => {
    await gw?.close();
    await gw?.close(); // safe twice
    await admin?.endAsync();
    await broker.close();
  });

  const decide = (phase: string) =>
    admin.publishAsync(
      'traffic/v1/a/decision',
      JSON.stringify({ v: 1, controller: 'ctl-x', seq: 1, t: Date.now(), phase }),
      {
        qos: 1,
      },
    );

  it('decisions steer the heads; the signal names the controller', async () => {
    await vi.waitFor(
      async () => {
        await decide('ew');
        const last = signals.at(-1)?.signal;
        expect(last?.controller).toBe('ctl-x');
        expect(last?.interval === 'green' ? last.phase : undefined).toBe('ew');
      },
      { timeout: 20_000, interval: 200 },
    );
  });

  it('bad payloads are no decision: the watchdog runs the plan; valid decisions take control back', async () => {
    const from = Date.now();
    const stop = setInterval(() => {
      for (const bad of [
        '{"v":1,"phase":',
        '{"v":2,"controller":"x","seq":1,"t":1,"phase":"ew"}',
        'ØØ',
      ])
        void admin.publishAsync('traffic/v1/a/decision', bad, { qos: 1 }).catch(() => {});
    }, 200);
    try {
      await vi.waitFor(
        () =>
          expect(signals.some((s) => s.atMs > from && s.signal.controller === 'fallback')).toBe(
            true,
          ),
        { timeout: 15_000, interval: 100 },
      );
    } finally {
      clearInterval(stop);
    }
    expect(gw.stats().invalid.decision).toBeGreaterThan(0);
    expect(events.some((e) => e.fallback === true)).toBe(true);
    const back = Date.now();
    await vi.waitFor(
      async () => {
        await decide('ns');
        expect(signals.some((s) => s.atMs > back && s.signal.controller === 'ctl-x')).toBe(true);
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(events.some((e) => e.fallback === false)).toBe(true);
  });

  it('a new retained config reaches the gateway (a signal device reads its config)', async () => {
    const changed = { ...config, name: 'Main & 1st', watchdogS: 3 };
    await admin.publishAsync('traffic/v1/a/config', JSON.stringify(changed), {
      qos: 1,
      retain: true,
    });
    await vi.waitFor(
      () => expect(events.filter((e) => e.config === true).length).toBeGreaterThanOrEqual(2),
      {
        timeout: 10_000,
      },
    );
    // an invalid one never replaces it (refused by the broker or by the gateway)
    const installs = events.filter((e) => e.config === true).length;
    await admin.publishAsync('traffic/v1/a/config', JSON.stringify({ ...config, yellowS: 1 }), {
      qos: 1,
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(events.filter((e) => e.config === true).length).toBe(installs);
    expect(gw.stats().intersections.a?.configured).toBe(true);
  });

  it('held up itself past the backup time, it says so and takes the cabinet up again, no fault', async () => {
    const before = events.length;
    const heldFrom = Date.now();
    while (Date.now() - heldFrom < 1500); // the process held up (an overloaded machine)
    await vi.waitFor(
      () => {
        const since = events.slice(before);
        const late = since.find((e) => e.tick === 'late');
        expect(late?.gapMs).toBeGreaterThanOrEqual(1400);
        expect(since.some((e) => e.cabinet === 'retake')).toBe(true);
        expect(signals.some((s) => s.atMs > heldFrom + 1500)).toBe(true);
      },
      { timeout: 10_000 },
    );
    const stats = gw.stats();
    expect(stats.lateTicks).toBeGreaterThanOrEqual(1);
    expect(stats.retakes).toBeGreaterThanOrEqual(1);
    expect(stats.intersections.a?.overrides.cabinet).toBeUndefined();
  });
});
