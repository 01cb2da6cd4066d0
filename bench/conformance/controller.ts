/**
 * `openphase conformance --controller mqtt:ID` (shell): drives a live controller through two
 * short lockstep runs and records what it publishes; checks.ts judges. On its own broker it
 * also cuts the controller's connection (the broker must then publish its Last Will; the
 * controller must come back with a new birth) and restarts the broker (retained messages and
 * sessions are gone; the controller must come back, birth again, and answer every tick).
 * On an external broker (`mqtt`) those two checks are skipped: nobody may cut a city's broker.
 */
import { generateSecret } from '../../broker/index.ts';
import {
  DEFAULT_ROOT,
  type IntersectionConfig,
  parseTopic,
  type Scenario,
} from '../../protocol/index.ts';
import { slotStarts } from '../plan.ts';
import {
  type Check,
  checkBirth,
  checkDeadlines,
  checkDecisions,
  checkWill,
  type Observed,
  skip,
  type TickRecord,
  verdict,
} from './checks.ts';
import {
  type Cleanup,
  type ConformanceBroker,
  checkConnects,
  connectObserver,
  observerCredential,
  probeRetained,
  sleep,
  startConformanceBroker,
  startDeviceUnderTest,
  until,
} from './harness.ts';
import { createLockstepRun, type LockstepRun } from './lockstep.ts';

export interface ControllerConformanceOptions {
  /** the controller's device id (mqtt:ID) */
  id: string;
  scenario: Scenario;
  /** lockstep ticks per run (default 30) */
  ticks?: number;
  deadlineMs?: number;
  /** how long to wait for it to connect and answer its first tick (default 30 s) */
  connectTimeoutS?: number;
  /** how long to wait for it to come back after a cut or a restart (default 15 s) */
  reconnectTimeoutS?: number;
  root?: string;
  /** start the controller with this command (it gets OPENPHASE_MQTT_* in its environment) */
  spawn?: string;
  /** credential file and log */
  workDir: string;
  /** an external broker (admin credential): the Last Will and reconnect checks are skipped */
  mqtt?: { url: string; username?: string; password?: string };
  onNotice?: (line: string) => void;
}

const TITLES = {
  connects: 'connects to the broker with its credential',
  birth: 'publishes a retained birth {online:true} on status/{id}',
  will: 'registers a Last Will {online:false}, published when its connection drops',
  reconnect: 'survives a dropped connection and a broker restart: back, birth again, answering',
};

const SKIP_EXTERNAL = 'needs the conformance broker (without --mqtt) to cut the connection';

export async function runControllerConformance(o: ControllerConformanceOptions): Promise<Check[]> {
  const root = o.root ?? DEFAULT_ROOT;
  const ticks = o.ticks ?? 30;
  const deadlineMs = o.deadlineMs ?? 1000;
  const connectMs = (o.connectTimeoutS ?? 30) * 1000;
  const reconnectMs = (o.reconnectTimeoutS ?? 15) * 1000;
  const me = { username: 'openphase-conformance', password: generateSecret() };
  const vendor = { username: o.id, password: generateSecret() };
  const broker: ConformanceBroker | undefined = o.mqtt
    ? undefined
    : await startConformanceBroker([
        { id: me.username, role: 'admin', intersections: '*', password: me.password },
        { id: vendor.username, role: 'controller', intersections: '*', password: vendor.password },
      ]);
  const url = broker?.url ?? o.mqtt!.url;

  const decisions: Observed[] = [];
  const statuses: Observed[] = [];
  const statusFilter = `${root}/v1/+/status/${o.id}`;
  const cleanup: Cleanup = [];
  let run: LockstepRun | undefined;
  try {
    // one connection drives the ticks and records
    const c = await connectObserver(url, observerCredential(broker, me, o.mqtt), cleanup);
    const lockstep = createLockstepRun(c, o.scenario, root, deadlineMs);
    run = lockstep;
    c.on('message', (topic, payload, packet) => {
      const p = parseTopic(topic, root);
      if (!p) return;
      const m = {
        topic,
        intersection: p.intersection,
        payload,
        atMs: Date.now(),
        retained: packet.retain,
      };
      if (p.kind === 'decision') {
        decisions.push(m);
        lockstep.onDecision(p.intersection, payload);
      } else if (p.kind === 'status' && p.device === o.id) statuses.push(m);
    });
    await c.subscribeAsync([`${root}/v1/+/decision`, statusFilter], { qos: 1 });

    const dut = startDeviceUnderTest(
      {
        kind: 'controller',
        id: o.id,
        url,
        root,
        workDir: o.workDir,
        credential: broker ? vendor : undefined,
        ...(o.spawn ? { spawn: o.spawn } : {}),
        ...(o.onNotice ? { onNotice: o.onNotice } : {}),
      },
      cleanup,
    );
    const { exited, exitNote } = dut;

    const checks: Check[] = [];
    if (broker) {
      const connects = await checkConnects(broker, o.id, connectMs, dut, TITLES.connects);
      checks.push(connects);
      if (connects.status === 'fail') return checks;
    }

    const durationS = ticks * (o.scenario.stepS ?? 1);
    const [startA, startB] = slotStarts([
      { scenario: o.scenario, durationS },
      { scenario: o.scenario, durationS },
    ]);
    const total: TickRecord = { ticks: 0, missed: 0, latencyMs: [] };
    const add = (r: TickRecord) => {
      total.ticks += r.ticks;
      total.missed += r.missed;
      total.latencyMs = [...total.latencyMs, ...r.latencyMs];
      return r;
    };
    // the answer to the last tick (not waited for by the run) arrives before it is judged
    const settle = () => sleep(Math.max(200, Math.min(deadlineMs, 1000)));

    add(await lockstep.run(startA!, ticks, broker ? Math.max(deadlineMs, 10_000) : connectMs));
    await settle();
    const retained = await probeRetained(c, statusFilter, (t) => t.endsWith(`/status/${o.id}`));
    checks.push(checkBirth(statuses, o.id, TITLES.birth, retained));

    if (!broker) {
      checks.push(
        skip('last-will', TITLES.will, SKIP_EXTERNAL),
        skip('reconnect', TITLES.reconnect, SKIP_EXTERNAL),
      );
    } else {
      // 1. a cut connection: no DISCONNECT, so the broker must publish the Will
      const before = statuses.length;
      const connectsBefore = broker.connects(o.id);
      broker.drop(o.id);
      await until(() => statuses.length > before, 3000);
      await sleep(200);
      checks.push(checkWill(statuses.slice(before), o.id, TITLES.will));
      const afterCut = statuses.length;
      const back = await until(
        () => broker.connects(o.id) > connectsBefore && broker.connected(o.id),
        reconnectMs,
        exited,
      );
      if (back)
        await until(() => checkBirth(statuses.slice(afterCut), o.id, '').status === 'pass', 3000);
      const birthAfterCut = checkBirth(statuses.slice(afterCut), o.id, '').status === 'pass';
      // 2. a broker restart on the same port: retained messages and sessions are gone
      const connectsBeforeRestart = broker.connects(o.id);
      await broker.restart();
      const afterRestart = statuses.length;
      const backAgain =
        back &&
        (await until(
          () => broker.connects(o.id) > connectsBeforeRestart && broker.connected(o.id),
          reconnectMs,
          exited,
        ));
      const meBack = await until(() => c.connected, 10_000);
      if (meBack) await c.subscribeAsync([`${root}/v1/+/decision`, statusFilter], { qos: 1 });
      let after: TickRecord | undefined;
      if (backAgain && meBack) {
        after = add(await lockstep.run(startB!, ticks, Math.max(deadlineMs, 10_000)));
        await settle();
      }
      const birthAfterRestart =
        checkBirth(statuses.slice(afterRestart), o.id, '').status === 'pass';
      const problems = [
        ...(back
          ? []
          : [
              `did not reconnect within ${reconnectMs / 1000} s after its connection was cut${exitNote()}`,
            ]),
        ...(back && !birthAfterCut ? ['no birth after reconnecting'] : []),
        ...(back && !backAgain
          ? [
              `did not reconnect within ${reconnectMs / 1000} s after the broker restarted${exitNote()}`,
            ]
          : []),
        ...(!meBack ? ['(the conformance client itself could not reconnect)'] : []),
        ...(backAgain && !birthAfterRestart ? ['no birth after the broker restarted'] : []),
        ...(after && after.missed > 0
          ? [`missed ${after.missed} of ${after.ticks} ticks after the restart`]
          : []),
      ];
      checks.push(
        verdict(
          'reconnect',
          TITLES.reconnect,
          problems.length === 0,
          `reconnected after the cut and after the restart, birth each time, ${after?.ticks ?? 0} ticks answered after`,
          problems.join('; '),
        ),
      );
    }
    checks.push(checkDeadlines(total, deadlineMs));
    const configs = new Map<string, IntersectionConfig>(
      o.scenario.intersections.map((i) => [i.id, { v: 1, ...i } as IntersectionConfig]),
    );
    const d = checkDecisions(decisions, lockstep.published, configs);
    checks.push(d.valid, d.phases, d.onePerTick);
    return checks;
  } finally {
    run?.close();
    for (const f of cleanup.reverse()) await f();
    await broker?.close();
  }
}
