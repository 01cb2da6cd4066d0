/**
 * `openphase conformance --sensor ID` (shell): listens to a live sensor's counts and status
 * for a time window, then (on the bench's own broker) drops its connection and expects the
 * Last Will, the sensor back and counting again; checks.ts judges.
 */
import mqtt from 'mqtt';
import {
  addDevice,
  type Broker,
  createBroker,
  createRegistry,
  generateSecret,
} from '../../broker/index.ts';
import { DEFAULT_ROOT, decodeMessage, type IntersectionConfig } from '../../protocol/index.ts';
import { createVendorProcess, writeCredentialFile } from '../vendor.ts';
import { type Check, checkBirth, checkCounts, checkWill, type Observed, skip } from './checks.ts';

export interface SensorConformanceOptions {
  sensor: string;
  /** the intersection it reports for (its credential is limited to it) */
  intersection: string;
  /** seconds of counts to judge (default 30) */
  windowS?: number;
  connectTimeoutS?: number;
  /** allowed clock skew beyond one interval, seconds (default 5) */
  clockToleranceS?: number;
  root?: string;
  spawn?: string;
  workDir: string;
  mqtt?: { url: string; username?: string; password?: string };
  onNotice?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

const TITLES = {
  connects: 'connects to the broker with its credential',
  birth: 'publishes a retained birth {online:true} on status/{id}',
  will: 'registers a Last Will {online:false}, published when its connection drops',
  reconnect: 'after a dropped connection: back, birth again, counting again',
};

export async function runSensorConformance(o: SensorConformanceOptions): Promise<Check[]> {
  const root = o.root ?? DEFAULT_ROOT;
  const windowMs = (o.windowS ?? 30) * 1000;
  const connectMs = (o.connectTimeoutS ?? 30) * 1000;
  const embedded = !o.mqtt;
  const watcher = { username: 'openphase-conformance-observer', password: generateSecret() };
  const device = { username: o.sensor, password: generateSecret() };
  let broker: Broker | undefined;
  let url = o.mqtt?.url ?? '';
  if (embedded) {
    let reg = addDevice(
      createRegistry(),
      { id: watcher.username, role: 'admin', intersections: '*', password: watcher.password },
      { iterations: 10_000 },
    );
    reg = addDevice(
      reg,
      { id: o.sensor, role: 'sensor', intersections: [o.intersection], password: device.password },
      { iterations: 10_000 },
    );
    broker = createBroker({
      host: '127.0.0.1',
      port: 0,
      devices: reg,
      rateLimit: false,
      log: () => {},
    });
    ({ url } = await broker.start());
  }
  const connected = () =>
    Boolean(
      (broker?.aedes as unknown as { clients: Record<string, unknown> } | undefined)?.clients[
        o.sensor
      ],
    );
  const base = `${root}/v1/${o.intersection}`;
  const counts: Observed[] = [];
  const statuses: Observed[] = [];
  let config: IntersectionConfig | undefined;
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const creds = embedded
      ? watcher
      : o.mqtt?.username
        ? { username: o.mqtt.username, password: o.mqtt.password ?? '' }
        : {};
    const observer = await mqtt.connectAsync(url, {
      clientId: embedded
        ? watcher.username
        : `${o.mqtt?.username ?? 'openphase'}-observer`.slice(0, 64),
      ...creds,
      reconnectPeriod: 300,
    });
    observer.on('error', () => {});
    cleanup.push(() => observer.endAsync().catch(() => undefined));
    observer.on('message', (topic, payload, packet) => {
      const m = {
        topic,
        intersection: o.intersection,
        payload,
        atMs: Date.now(),
        retained: packet.retain,
      };
      if (topic === `${base}/counts/${o.sensor}`) counts.push(m);
      else if (topic === `${base}/status/${o.sensor}`) statuses.push(m);
      else if (topic === `${base}/config`) {
        const r = decodeMessage('config', payload);
        if (r.ok) config = r.value as IntersectionConfig;
      }
    });
    await observer.subscribeAsync(
      [`${base}/counts/${o.sensor}`, `${base}/status/${o.sensor}`, `${base}/config`],
      { qos: 1 },
    );
    if (o.spawn) {
      const proc = createVendorProcess(
        o.spawn,
        {
          OPENPHASE_MQTT_URL: url,
          OPENPHASE_ROOT: root,
          ...(embedded
            ? { OPENPHASE_MQTT_USERNAME: o.sensor, OPENPHASE_MQTT_PASSWORD: device.password }
            : {}),
        },
        `${o.workDir}/${o.sensor}.log`,
      );
      proc.start();
      cleanup.push(() => proc.close());
    } else if (embedded) {
      const file = writeCredentialFile(`${o.workDir}/.credentials`, url, root, device);
      cleanup.push(async () =>
        (await import('node:fs')).rmSync(`${o.workDir}/.credentials`, {
          recursive: true,
          force: true,
        }),
      );
      o.onNotice?.(`start the sensor now with the broker address and credential in ${file}`);
    }
    const checks: Check[] = [];
    if (embedded) {
      const ok = await until(connected, connectMs);
      checks.push({
        id: 'connects',
        title: TITLES.connects,
        status: ok ? 'pass' : 'fail',
        detail: ok ? `connected as ${o.sensor}` : `not connected within ${connectMs / 1000} s`,
      });
      if (!ok) return checks;
    }
    await sleep(windowMs);
    const window = counts.slice();
    checks.push(checkBirth(statuses, o.sensor, TITLES.birth));
    checks.push(
      ...checkCounts(window, {
        sensor: o.sensor,
        ...(config ? { config } : {}),
        clockToleranceMs: (o.clockToleranceS ?? 5) * 1000,
        minMessages: 2,
      }),
    );
    if (!embedded) {
      checks.push(
        skip(
          'last-will',
          TITLES.will,
          'needs the bench’s own broker (not --mqtt) to drop the connection',
        ),
      );
      checks.push(
        skip(
          'reconnect',
          TITLES.reconnect,
          'needs the bench’s own broker (not --mqtt) to drop the connection',
        ),
      );
      return checks;
    }
    const before = statuses.length;
    (broker!.aedes as unknown as { clients: Record<string, { close(): void }> }).clients[
      o.sensor
    ]?.close();
    await until(() => statuses.length > before, 3000);
    await sleep(200);
    checks.push(checkWill(statuses.slice(before), o.sensor, TITLES.will));
    const afterCut = statuses.length;
    const countsBefore = counts.length;
    const back = await until(connected, 15_000);
    const counting =
      back && (await until(() => counts.length > countsBefore, Math.max(5000, windowMs)));
    const birthAgain = checkBirth(statuses.slice(afterCut), o.sensor, '').status === 'pass';
    const problems = [
      ...(back ? [] : ['did not reconnect within 15 s']),
      ...(back && !counting ? ['no counts after reconnecting'] : []),
      ...(back && !birthAgain ? ['no birth after reconnecting'] : []),
    ];
    checks.push({
      id: 'reconnect',
      title: TITLES.reconnect,
      status: problems.length === 0 ? 'pass' : 'fail',
      detail:
        problems.length === 0 ? 'reconnected, birth again, counts again' : problems.join('; '),
    });
    return checks;
  } finally {
    for (const f of cleanup.reverse()) await f();
    await broker?.close();
  }
}
