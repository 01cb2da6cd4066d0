/**
 * `openphase conformance --controller mqtt:ID` (shell): drives a live controller through
 * short lockstep runs on the conformance broker and records what it publishes; checks.ts
 * judges. On the bench's own broker it also drops the controller's connection (the broker
 * then publishes its Last Will) and restarts the broker, and expects the controller back.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  addDevice,
  type Broker,
  createBroker,
  createRegistry,
  generateSecret,
  type Registry,
} from '../../broker/index.ts';
import {
  DEFAULT_ROOT,
  type IntersectionConfig,
  parseTopic,
  type Scenario,
} from '../../protocol/index.ts';
import { createMqttSimulation } from '../../simulator/mqtt-runner.ts';
import { slotStarts } from '../plan.ts';
import { createVendorProcess, writeCredentialFile } from '../vendor.ts';
import {
  type Check,
  checkBirth,
  checkDeadlines,
  checkDecisions,
  checkWill,
  type Observed,
  skip,
} from './checks.ts';

export interface ControllerConformanceOptions {
  /** the controller's device id (mqtt:ID) */
  id: string;
  scenario: Scenario;
  /** lockstep ticks per run (default 30) */
  ticks?: number;
  deadlineMs?: number;
  connectTimeoutS?: number;
  root?: string;
  /** start the controller with this command (it gets OPENPHASE_MQTT_* in its environment) */
  spawn?: string;
  /** credential file and log */
  workDir: string;
  /** an external broker (admin credential): the drop and restart checks are skipped */
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
  reconnect: 'survives a dropped connection and a broker restart: back, birth again, answering',
};

export async function runControllerConformance(o: ControllerConformanceOptions): Promise<Check[]> {
  const root = o.root ?? DEFAULT_ROOT;
  const ticks = o.ticks ?? 30;
  const deadlineMs = o.deadlineMs ?? 1000;
  const connectMs = (o.connectTimeoutS ?? 30) * 1000;
  const embedded = !o.mqtt;
  const sim = { username: 'openphase-conformance', password: generateSecret() };
  const watcher = { username: 'openphase-conformance-observer', password: generateSecret() };
  const vendor = { username: o.id, password: generateSecret() };
  let reg: Registry = createRegistry();
  for (const [d, role] of [
    [sim, 'admin'],
    [watcher, 'admin'],
    [vendor, 'controller'],
  ] as const)
    reg = addDevice(
      reg,
      { id: d.username, role, intersections: '*', password: d.password },
      { iterations: 10_000 },
    );

  let broker: Broker | undefined;
  let port = 0;
  const startBroker = async () => {
    broker = createBroker({
      host: '127.0.0.1',
      port,
      devices: reg,
      rateLimit: false,
      log: () => {},
    });
    const started = await broker.start();
    port = started.port;
    return started.url;
  };
  const url = embedded ? await startBroker() : o.mqtt!.url;
  const simCreds = embedded
    ? sim
    : o.mqtt?.username
      ? { username: o.mqtt.username, password: o.mqtt.password ?? '' }
      : undefined;
  const connected = () =>
    Boolean(
      (broker?.aedes as unknown as { clients: Record<string, unknown> } | undefined)?.clients[o.id],
    );

  const decisions: Observed[] = [];
  const statuses: Observed[] = [];
  let observer: MqttClient | undefined;
  const proc = o.spawn
    ? createVendorProcess(
        o.spawn,
        {
          OPENPHASE_MQTT_URL: url,
          OPENPHASE_ROOT: root,
          ...(embedded
            ? { OPENPHASE_MQTT_USERNAME: vendor.username, OPENPHASE_MQTT_PASSWORD: vendor.password }
            : {}),
        },
        `${o.workDir}/${o.id}.log`,
      )
    : undefined;
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    observer = await mqtt.connectAsync(url, {
      clientId: embedded
        ? watcher.username
        : `${simCreds?.username ?? 'openphase'}-observer`.slice(0, 64),
      ...(embedded ? watcher : (simCreds ?? {})),
      reconnectPeriod: 300,
    });
    observer.on('error', () => {});
    cleanup.push(() => observer!.endAsync().catch(() => undefined));
    observer.on('message', (topic, payload, packet) => {
      const p = parseTopic(topic, root);
      if (!p) return;
      const m = {
        topic,
        intersection: p.intersection,
        payload,
        atMs: Date.now(),
        retained: packet.retain,
      };
      if (p.kind === 'decision') decisions.push(m);
      else if (p.kind === 'status' && topic.endsWith(`/status/${o.id}`)) statuses.push(m);
    });
    await observer.subscribeAsync([`${root}/v1/+/decision`, `${root}/v1/+/status/${o.id}`], {
      qos: 1,
    });

    if (proc) {
      proc.start();
      cleanup.push(() => proc.close());
    } else if (embedded) {
      const file = writeCredentialFile(`${o.workDir}/.credentials`, url, root, vendor);
      cleanup.push(async () =>
        (await import('node:fs')).rmSync(`${o.workDir}/.credentials`, {
          recursive: true,
          force: true,
        }),
      );
      o.onNotice?.(`start the controller now with the broker address and credential in ${file}`);
    }
    const checks: Check[] = [];
    if (embedded) {
      const ok = await until(connected, connectMs);
      checks.push(
        ok
          ? {
              id: 'connects',
              title: TITLES.connects,
              status: 'pass',
              detail: `connected as ${o.id}`,
            }
          : {
              id: 'connects',
              title: TITLES.connects,
              status: 'fail',
              detail: `not connected within ${connectMs / 1000} s`,
            },
      );
      if (!ok) return checks;
    }

    const configs = new Map<string, IntersectionConfig>(
      o.scenario.intersections.map((c) => [c.id, { v: 1, ...c } as IntersectionConfig]),
    );
    const published = new Map<string, Set<number>>(
      o.scenario.intersections.map((c) => [c.id, new Set()]),
    );
    const stepMs = Math.round((o.scenario.stepS ?? 1) * 1000);
    const [startA, startB] = slotStarts([
      { scenario: o.scenario, durationS: (ticks * stepMs) / 1000 },
      { scenario: o.scenario, durationS: (ticks * stepMs) / 1000 },
    ]);
    let missed = 0;
    let ticked = 0;
    const lockstep = async (startAtMs: number, firstWaitMs: number) => {
      const run = createMqttSimulation({
        scenario: { ...o.scenario, startAtMs },
        durationS: (ticks * stepMs) / 1000,
        mqttUrl: url,
        ...(simCreds ? simCreds : {}),
        mode: 'lockstep',
        deadlineMs,
        firstTickWaitMs: firstWaitMs,
        controller: 'mqtt',
        root,
      });
      for (const set of published.values())
        for (let k = 0; k <= ticks; k++) set.add(startAtMs + k * stepMs);
      try {
        await run.start();
        const r = await run.done;
        missed += r.metrics.missedDeadlines;
        ticked += ticks * configs.size;
      } finally {
        await run.close();
      }
      await sleep(Math.max(200, Math.min(deadlineMs, 1000))); // the answer to the last tick
    };

    await lockstep(startA!, embedded ? Math.max(deadlineMs, 10_000) : connectMs);
    checks.push(checkBirth(statuses, o.id, TITLES.birth));

    if (!embedded) {
      checks.push(
        skip(
          'last-will',
          TITLES.will,
          'needs the bench’s own broker (not --mqtt) to drop the connection',
        ),
        skip(
          'reconnect',
          TITLES.reconnect,
          'needs the bench’s own broker (not --mqtt) to restart it',
        ),
      );
    } else {
      // A dropped connection: the broker closes it without a DISCONNECT, so it must publish the Will.
      const before = statuses.length;
      (broker!.aedes as unknown as { clients: Record<string, { close(): void }> }).clients[
        o.id
      ]?.close();
      await until(() => statuses.length > before, 3000);
      await sleep(200);
      checks.push(checkWill(statuses.slice(before), o.id, TITLES.will));
      const back = await until(connected, 15_000);
      // A broker restart on the same port (retained messages and sessions are gone).
      await broker!.close();
      const restartAt = statuses.length;
      await startBroker();
      const backAgain = back && (await until(connected, 15_000));
      const observerBack = await until(() => observer!.connected, 10_000);
      if (observerBack)
        await observer.subscribeAsync([`${root}/v1/+/decision`, `${root}/v1/+/status/${o.id}`], {
          qos: 1,
        });
      const missedBefore = missed;
      if (backAgain) await lockstep(startB!, Math.max(deadlineMs, 10_000));
      const birthAgain = checkBirth(statuses.slice(restartAt), o.id, '').status === 'pass';
      const problems = [
        ...(back ? [] : ['did not reconnect within 15 s after the connection dropped']),
        ...(backAgain || !back ? [] : ['did not reconnect within 15 s after the broker restarted']),
        ...(backAgain && !birthAgain ? ['no birth after reconnecting'] : []),
        ...(backAgain && missed > missedBefore
          ? [`missed ${missed - missedBefore} ticks after reconnecting`]
          : []),
      ];
      checks.push(
        problems.length === 0
          ? {
              id: 'reconnect',
              title: TITLES.reconnect,
              status: 'pass',
              detail: `reconnected twice, birth again, ${ticks} ticks answered after`,
            }
          : {
              id: 'reconnect',
              title: TITLES.reconnect,
              status: 'fail',
              detail: problems.join('; '),
            },
      );
    }
    checks.push(checkDeadlines(missed, ticked, deadlineMs));
    const d = checkDecisions(decisions, published, configs);
    checks.push(d.valid, d.phases, d.onePerTick);
    return checks;
  } finally {
    for (const f of cleanup.reverse()) await f();
    await broker?.close();
  }
}
