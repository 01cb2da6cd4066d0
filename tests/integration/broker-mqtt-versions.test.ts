/**
 * What docs/protocol.md says each broker accepts (issue 17.6): the embedded broker speaks MQTT
 * 3.1.1 and 3.1 and refuses an MQTT 5 CONNECT; Mosquitto 2 (from the export) accepts all three.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/index.ts';
import { connackCode, fixtureRegistry, passwordOf } from './broker-fixtures.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');
let broker: Broker;
let url: string;

beforeAll(async () => {
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  url = (await broker.start()).url;
});
afterAll(() => broker?.close());

const connectWith = (protocolVersion: 3 | 4 | 5) =>
  connackCode(url, {
    clientId: 's1',
    username: 's1',
    password: passwordOf('s1'),
    protocolVersion,
    ...(protocolVersion === 3 ? { protocolId: 'MQIsdp' as const } : {}),
  });

describe('MQTT versions on the embedded broker', () => {
  it('accepts MQTT 3.1.1 and 3.1', async () => {
    expect(await connectWith(4)).toBe(0);
    expect(await connectWith(3)).toBe(0);
  });

  it('refuses MQTT 5 at CONNECT, as docs/protocol.md says', async () => {
    expect(await connectWith(5)).not.toBe(0);
    expect(doc).toMatch(
      /embedded[^\n]*\*\*3\.1\.1\*\* \(and 3\.1\) only; an MQTT 5 CONNECT is refused/,
    );
    expect(doc).toMatch(/Mosquitto 2[^\n]*\| 3\.1, 3\.1\.1 and 5 \| yes/);
    expect(doc).not.toMatch(/MQTT 3\.1\.1 or 5 over/);
  });
});
