/**
 * The field system, as separate processes on real services: a broker (openphase broker, or
 * Mosquitto 2 with the exported ACLs), the collector into InfluxDB 1.x, the controller, the
 * signal gateway with the ntcip1202 adapter against the cabinet emulator, and a sensor that is
 * a plain mqtt.js client written from docs/protocol.md. Shared by the field e2e tests.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import snmp from 'net-snmp';
import {
  addDevice,
  createRegistry,
  exportMosquitto,
  type Registry,
  saveRegistry,
} from '../../broker/index.ts';
import type { Signal } from '../../protocol/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { type MosquittoServer, startMosquitto } from '../../rigs/mosquitto.ts';
import { freePort } from '../../rigs/ports.ts';
import { stopChild } from '../../rigs/processes.ts';
import { freeUdpPort } from '../helpers/udp.ts';
import { openphase, repo, started, transcript } from '../integration/field-processes.ts';

export const ID = 'main-1st';
export const CONFIG = join(repo, 'tests/fixtures/field/crossing.yaml');
export const WATCHDOG_S = 5; // crossing.yaml
const pw = (id: string) => `pw-${id}-${process.pid}-x9`;
export const COMMUNITY = `snmp-${process.pid}-c0mm`;

export const DEVICES = [
  { id: 'sig-1', role: 'signal', intersections: [ID] },
  { id: 'ctl-1', role: 'controller', intersections: [ID] },
  { id: 'col-1', role: 'collector', intersections: '*' },
  { id: 'obs-1', role: 'observer', intersections: '*' },
  { id: 'dash-1', role: 'observer', intersections: '*' },
  { id: `${ID}-s1`, role: 'sensor', intersections: [ID] },
] as const;

export const SECRETS = [...DEVICES.map((d) => pw(d.id)), COMMUNITY];

export interface SeenSignal {
  atMs: number;
  signal: Signal;
}

export async function startFieldSystem(brokerKind: 'openphase' | 'mosquitto') {
  const dir = mkdtempSync(join(tmpdir(), 'op-field-'));
  const procs = new Map<string, ChildProcess>();
  const logs = new Map<string, () => string>();
  let reg: Registry = createRegistry();
  for (const d of DEVICES)
    reg = addDevice(
      reg,
      {
        ...d,
        intersections: d.intersections === '*' ? '*' : [...d.intersections],
        password: pw(d.id),
      },
      { iterations: 1000 },
    );
  const devicesFile = join(dir, 'devices.yaml');
  saveRegistry(devicesFile, reg);
  const influx: InfluxDBServer = await startInfluxDB();
  await influx.query('CREATE DATABASE fieldloop');

  let mosquitto: MosquittoServer | undefined;
  let brokerPort = 0;
  const startBroker = async () => {
    if (brokerKind === 'mosquitto') {
      const out = join(dir, 'mosq');
      const files = exportMosquitto(reg, out);
      mosquitto = await startMosquitto({
        passwordFile: files.passwd,
        aclFile: files.acl,
        allowAnonymous: false,
        ...(brokerPort ? { port: brokerPort } : {}),
      });
      brokerPort = mosquitto.port;
      return;
    }
    brokerPort ||= await freePort();
    spawnNamed('broker', ['broker', '--port', String(brokerPort), '--devices', devicesFile]);
    await started(procs.get('broker')!);
  };
  const stopBroker = async () => {
    if (mosquitto) {
      await mosquitto.stop();
      mosquitto = undefined;
    } else await stopChild(procs.get('broker')!);
  };

  function spawnNamed(name: string, args: string[], env: Record<string, string> = {}) {
    const child = openphase(args, env);
    procs.set(name, child);
    logs.set(name, transcript(child));
    return child;
  }
  await startBroker();
  const url = `mqtt://127.0.0.1:${brokerPort}`;
  const as = (id: string) => ({
    OPENPHASE_MQTT_USERNAME: id,
    OPENPHASE_MQTT_PASSWORD: pw(id),
    OPENPHASE_MQTT_URL: url,
  });

  // The cabinet.
  const udp = await freeUdpPort();
  spawnNamed('emulator', ['cabinet-emulator', '--config', CONFIG, '--port', String(udp)], {
    OPENPHASE_SNMP_COMMUNITY: COMMUNITY,
  });
  await started(procs.get('emulator')!);

  // The description, published by the signal device's credential (password from a file).
  const pwFile = join(dir, 'sig.pw');
  writeFileSync(pwFile, `${pw('sig-1')}\n`, { mode: 0o600 });
  const publish = spawnNamed('publish', [
    'intersection',
    'publish',
    CONFIG,
    '--mqtt',
    url,
    '--username',
    'sig-1',
    '--password-file',
    pwFile,
  ]);
  const code = await new Promise<number | null>((r) => publish.once('exit', r));
  if (code !== 0) throw new Error(`intersection publish failed: ${logs.get('publish')!()}`);

  // An observer records every signal and decision.
  const signals: SeenSignal[] = [];
  const decisions: { atMs: number; controller: string; phase: string }[] = [];
  const observer: MqttClient = await mqtt.connectAsync(url, {
    clientId: 'obs-1',
    username: 'obs-1',
    password: pw('obs-1'),
    reconnectPeriod: 500,
  });
  observer.on('message', (topic, payload) => {
    try {
      const m = JSON.parse(payload.toString());
      if (topic.endsWith('/signal')) signals.push({ atMs: Date.now(), signal: m });
      else if (topic.endsWith('/decision'))
        decisions.push({ atMs: Date.now(), controller: m.controller, phase: m.phase });
    } catch {}
  });
  await observer.subscribeAsync([`traffic/v1/${ID}/signal`, `traffic/v1/${ID}/decision`], {
    qos: 1,
  });

  spawnNamed(
    'collector',
    ['collector', '--influx-url', influx.url, '--influx-db', 'fieldloop', '--log-every', '0'],
    as('col-1'),
  );
  await started(procs.get('collector')!);
  const startController = async () => {
    spawnNamed(
      'controller',
      ['controller', '--algorithm', 'actuated', '--intersections', ID, '--stats-every', '0'],
      as('ctl-1'),
    );
    await started(procs.get('controller')!);
  };
  await startController();
  spawnNamed(
    'signal',
    ['signal', '--cabinet', `${ID}=ntcip1202:127.0.0.1:${udp}`, '--stats-every', '5'],
    {
      ...as('sig-1'),
      OPENPHASE_SNMP_COMMUNITY: COMMUNITY,
    },
  );
  await started(procs.get('signal')!);

  // The sensor: a plain client, as docs/protocol.md tells a sensor maker.
  const sensorId = `${ID}-s1`;
  const sensor = await mqtt.connectAsync(url, {
    clientId: sensorId,
    username: sensorId,
    password: pw(sensorId),
    reconnectPeriod: 500,
    will: {
      topic: `traffic/v1/${ID}/status/${sensorId}`,
      payload: Buffer.from('{"v":1,"online":false}'),
      qos: 1,
      retain: true,
    },
  });
  await sensor.publishAsync(
    `traffic/v1/${ID}/status/${sensorId}`,
    JSON.stringify({
      v: 1,
      online: true,
      device: sensorId,
      role: 'sensor',
      atMs: Date.now(),
      boot: 'e2eboot1',
    }),
    { qos: 1, retain: true },
  );
  let seq = 0;
  let tick = 0;
  const sensorTimer = setInterval(() => {
    const to = Date.now();
    tick++;
    const busy = (k: number) => ((tick + k) % 3 === 0 ? 1 : 0);
    if (!sensor.connected) return;
    sensor.publish(
      `traffic/v1/${ID}/counts/${sensorId}`,
      JSON.stringify({
        v: 1,
        sensor: sensorId,
        boot: 'e2eboot1',
        seq: seq++,
        from: to - 1000,
        to,
        detectors: [
          { id: 'n-stop', count: busy(0), occupancy: busy(0) * 0.3 },
          { id: 's-stop', count: busy(1), occupancy: busy(1) * 0.3 },
          { id: 'e-stop', count: busy(2), occupancy: busy(2) * 0.3 },
          { id: 'w-stop', count: busy(0), occupancy: busy(0) * 0.3 },
        ],
      }),
      { qos: 1 },
    );
  }, 1000);

  // The cabinet's own word, read over SNMP (an independent session).
  const session = snmp.createSession('127.0.0.1', COMMUNITY, {
    port: udp,
    retries: 1,
    timeout: 1000,
    version: snmp.Version2c,
  } as never);
  session.on('error', () => {});
  const cabinetGreen = () =>
    new Promise<number | undefined>((resolve) =>
      session.get(['1.3.6.1.4.1.1206.4.2.1.1.4.1.4.1'], (e, vbs) =>
        resolve(e || !vbs ? undefined : Number(vbs[0]!.value)),
      ),
    );

  return {
    url,
    influx,
    /** another process of the field system (e.g. the dashboard), stopped at close */
    spawn: (name: string, args: string[], deviceId?: string) =>
      spawnNamed(name, args, deviceId ? as(deviceId) : {}),
    signals,
    decisions,
    procs,
    logs,
    cabinetGreen,
    startController,
    stopBroker,
    startBroker,
    async close() {
      clearInterval(sensorTimer);
      session.close();
      await sensor.endAsync(true).catch(() => {});
      await observer.endAsync(true).catch(() => {});
      for (const name of ['dashboard', 'signal', 'controller', 'collector', 'emulator', 'broker']) {
        const c = procs.get(name);
        if (c) await stopChild(c);
      }
      await mosquitto?.stop();
      await influx.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type FieldSystem = Awaited<ReturnType<typeof startFieldSystem>>;
