/**
 * `openphase simulate --mqtt … --controller mqtt`: a run in which no decision arrived must say
 * so and exit non-zero (its metrics are the fallback plan's, not a controller's); with a
 * controller answering, the same run exits 0. `--help` says a signal-role login cannot publish
 * counts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { createControllerService } from '../../controller/service.ts';
import { BIN } from '../../rigs/openphase.ts';
import { fixtureRegistry, passwordOf } from './broker-fixtures.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const brokers: ReturnType<typeof createBroker>[] = [];

/** A fresh broker per run: no retained signal of an earlier run makes the next one stale. */
async function freshBroker(): Promise<string> {
  const b = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  brokers.push(b);
  return (await b.start()).url;
}

afterAll(async () => {
  for (const b of brokers) await b.close();
});

function simulate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'simulate', ...args],
      {
        cwd: root,
        timeout: 90_000,
        env: { ...process.env, OPENPHASE_MQTT_PASSWORD: passwordOf('adm') },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const run = [
  '--scenario',
  'two-phase',
  '--duration',
  '30',
  '--speed',
  '30',
  '--controller',
  'mqtt',
];

it('no controller answering: says so, exits non-zero', async () => {
  const url = await freshBroker();
  const r = await simulate(...run, '--mqtt', url, '--username', 'adm');
  expect(r.stderr).toMatch(/NO DECISION ARRIVED/);
  expect(r.code).not.toBe(0);
}, 120_000);

it('a controller answering: exits 0, no such message', async () => {
  const url = await freshBroker();
  const ctl = createControllerService({
    mqttUrl: url,
    username: 'ops',
    password: passwordOf('ops'),
    algorithm: 'fixed-time',
    intersections: 'all',
    log: () => {},
  });
  await ctl.start();
  try {
    const r = await simulate(...run, '--mqtt', url, '--username', 'adm');
    expect(r.stderr).not.toMatch(/NO DECISION ARRIVED/);
    expect(r.code).toBe(0);
    expect(ctl.stats().decisions).toBeGreaterThan(0);
  } finally {
    await ctl.close();
  }
}, 120_000);

it('--help says a signal-role login cannot publish counts', async () => {
  const r = await simulate('--help');
  expect(r.stdout).toMatch(/signal-role[\s\S]{0,40}cannot publish counts/);
});
