/**
 * `openphase conformance --sensor ID` (shell): listens to a live sensor's counts and status for
 * a time window, then (on its own broker) cuts its connection and expects the Last Will, and
 * the sensor back with a birth and counting again; checks.ts judges. With an intersection
 * config (from a scenario, or retained on the broker) the detector ids are checked against it;
 * on its own broker that config is published retained, as a signal would.
 */
import { generateSecret } from '../../broker/index.ts';
import { DEFAULT_ROOT, decodeMessage, type IntersectionConfig } from '../../protocol/index.ts';
import {
  type Check,
  checkBirth,
  checkCounts,
  checkWill,
  type Observed,
  skip,
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

export interface SensorConformanceOptions {
  sensor: string;
  /** the intersection it reports for (its credential is limited to it) */
  intersection: string;
  /** the intersection's config: published retained on the conformance broker, detectors checked */
  config?: IntersectionConfig;
  /** seconds of counts to judge (default 30) */
  windowS?: number;
  connectTimeoutS?: number;
  /** how long to wait for it to come back after the cut (default 15 s) */
  reconnectTimeoutS?: number;
  /** allowed clock skew beyond one interval, seconds (default 5) */
  clockToleranceS?: number;
  root?: string;
  spawn?: string;
  workDir: string;
  /** an external broker (a credential that may read the sensor's topics): the cut is skipped */
  mqtt?: { url: string; username?: string; password?: string };
  onNotice?: (line: string) => void;
}

const TITLES = {
  connects: 'connects to the broker with its credential',
  birth: 'publishes a retained birth {online:true} on status/{id}',
  will: 'registers a Last Will {online:false}, published when its connection drops',
  reconnect: 'after a dropped connection: back, birth again, counting again',
};

const SKIP_EXTERNAL = 'needs the conformance broker (without --mqtt) to cut the connection';

export async function runSensorConformance(o: SensorConformanceOptions): Promise<Check[]> {
  const root = o.root ?? DEFAULT_ROOT;
  const windowMs = (o.windowS ?? 30) * 1000;
  const connectMs = (o.connectTimeoutS ?? 30) * 1000;
  const reconnectMs = (o.reconnectTimeoutS ?? 15) * 1000;
  if (o.config && o.config.id !== o.intersection)
    throw new Error(`the config is intersection '${o.config.id}', not '${o.intersection}'`);
  const me = { username: 'openphase-conformance', password: generateSecret() };
  const device = { username: o.sensor, password: generateSecret() };
  const broker: ConformanceBroker | undefined = o.mqtt
    ? undefined
    : await startConformanceBroker([
        { id: me.username, role: 'admin', intersections: '*', password: me.password },
        {
          id: o.sensor,
          role: 'sensor',
          intersections: [o.intersection],
          password: device.password,
        },
      ]);
  const url = broker?.url ?? o.mqtt!.url;
  const base = `${root}/v1/${o.intersection}`;
  const countsTopic = `${base}/counts/${o.sensor}`;
  const statusTopic = `${base}/status/${o.sensor}`;
  const counts: Observed[] = [];
  const statuses: Observed[] = [];
  let config = o.config;
  const cleanup: Cleanup = [];
  try {
    const client = await connectObserver(url, observerCredential(broker, me, o.mqtt), cleanup);
    client.on('message', (topic, payload, packet) => {
      const m = {
        topic,
        intersection: o.intersection,
        payload,
        atMs: Date.now(),
        retained: packet.retain,
      };
      if (topic === countsTopic) counts.push(m);
      else if (topic === statusTopic) statuses.push(m);
      else if (topic === `${base}/config` && !o.config) {
        const r = decodeMessage('config', payload);
        if (r.ok) config = r.value as IntersectionConfig;
      }
    });
    if (broker && o.config)
      await client.publishAsync(`${base}/config`, JSON.stringify({ v: 1, ...o.config }), {
        qos: 1,
        retain: true,
      });
    await client.subscribeAsync([countsTopic, statusTopic, `${base}/config`], { qos: 1 });
    const dut = startDeviceUnderTest(
      {
        kind: 'sensor',
        id: o.sensor,
        url,
        root,
        workDir: o.workDir,
        credential: broker ? device : undefined,
        ...(o.spawn ? { spawn: o.spawn } : {}),
        ...(o.onNotice ? { onNotice: o.onNotice } : {}),
      },
      cleanup,
    );
    const { exited, exitNote } = dut;

    const checks: Check[] = [];
    if (broker) {
      const connects = await checkConnects(broker, o.sensor, connectMs, dut, TITLES.connects);
      checks.push(connects);
      if (connects.status === 'fail') return checks;
    } else {
      // on a city's broker the sensor may be running already: the window starts now
      await until(() => counts.length > 0, connectMs, exited);
    }
    await sleep(windowMs);
    const window = counts.slice();
    const retained = await probeRetained(client, statusTopic, (t) => t === statusTopic);
    checks.push(checkBirth(statuses, o.sensor, TITLES.birth, retained));
    checks.push(
      ...checkCounts(window, {
        sensor: o.sensor,
        ...(config ? { config } : {}),
        clockToleranceMs: (o.clockToleranceS ?? 5) * 1000,
        minMessages: 2,
      }),
    );
    if (!broker) {
      checks.push(
        skip('last-will', TITLES.will, SKIP_EXTERNAL),
        skip('reconnect', TITLES.reconnect, SKIP_EXTERNAL),
      );
      return checks;
    }
    const before = statuses.length;
    const connectsBefore = broker.connects(o.sensor);
    broker.drop(o.sensor);
    await until(() => statuses.length > before, 3000);
    await sleep(200);
    checks.push(checkWill(statuses.slice(before), o.sensor, TITLES.will));
    const afterCut = statuses.length;
    const countsBefore = counts.length;
    const back = await until(
      () => broker.connects(o.sensor) > connectsBefore && broker.connected(o.sensor),
      reconnectMs,
      exited,
    );
    const counting =
      back && (await until(() => counts.length > countsBefore, Math.max(5000, windowMs)));
    // a birth may follow the counts queued while it was away; on a loaded machine it can take
    // seconds to arrive (3 s was once too short at load 18), and a sensor that births waits no longer
    const birthSeen = () => checkBirth(statuses.slice(afterCut), o.sensor, '').status === 'pass';
    if (back) await until(birthSeen, 10_000);
    const birthAgain = birthSeen();
    const problems = [
      ...(back ? [] : [`did not reconnect within ${reconnectMs / 1000} s${exitNote()}`]),
      ...(back && !counting ? ['no counts after reconnecting'] : []),
      ...(back && !birthAgain ? ['no birth after reconnecting'] : []),
    ];
    checks.push(
      verdict(
        'reconnect',
        TITLES.reconnect,
        problems.length === 0,
        'reconnected, birth again, counts again',
        problems.join('; '),
      ),
    );
    return checks;
  } finally {
    for (const f of cleanup.reverse()) await f();
    await broker?.close();
  }
}
