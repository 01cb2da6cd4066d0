/** The shared MQTT client rules: client id default, capped back-off, named refusals. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKOFF,
  defaultClientId,
  describeRefusal,
  mqttOptions,
  reconnectDelayMs,
  TAKEOVER_CAP_MS,
  takeoverDelayMs,
} from '../../ops/mqtt-options.ts';

describe('mqtt options', () => {
  it('the client id defaults to the username, then the fallback', () => {
    expect(defaultClientId({ username: 'col-1' }, 'openphase-collector')).toBe('col-1');
    expect(defaultClientId({ clientId: 'x', username: 'col-1' }, 'f')).toBe('x');
    expect(defaultClientId({}, 'openphase-collector')).toBe('openphase-collector');
  });

  it('retries for ever, also after a CONNACK refusal, over MQTT 3.1.1', () => {
    const o = mqttOptions({ clientId: 'c', username: 'c', password: 'p' });
    expect(o).toMatchObject({ clientId: 'c', protocolVersion: 4, reconnectOnConnackError: true });
    expect(o.reconnectPeriod).toBeGreaterThan(0);
  });

  it('the reconnect wait grows, never passes the cap, never drops below half of it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (n, j) => {
          const ms = reconnectDelayMs(n, j);
          const exp = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** (n - 1));
          return ms <= DEFAULT_BACKOFF.capMs && ms >= exp / 2 - 1;
        },
      ),
    );
    expect(reconnectDelayMs(1, 0)).toBe(500);
    expect(reconnectDelayMs(50, 0.999)).toBeLessThanOrEqual(5000);
  });

  it('after takeovers in a row the wait grows to its own, longer cap', () => {
    expect(takeoverDelayMs(1, 0)).toBeLessThan(takeoverDelayMs(3, 0));
    expect(takeoverDelayMs(40, 0.999)).toBeLessThanOrEqual(TAKEOVER_CAP_MS);
    expect(takeoverDelayMs(40, 0)).toBe(TAKEOVER_CAP_MS / 2);
  });

  it('names each refusal and says what to check', () => {
    const who = { clientId: 'openphase-collector', username: 'col-1' };
    expect(describeRefusal({ code: 2 }, who)).toMatchObject({ code: 'MQTT_IDENTIFIER_REJECTED' });
    expect(describeRefusal({ code: 2 }, who)?.message).toContain("use 'col-1'");
    expect(describeRefusal({ code: 4 }, who)?.code).toBe('MQTT_BAD_CREDENTIALS');
    expect(describeRefusal({ code: 134 }, who)?.code).toBe('MQTT_BAD_CREDENTIALS');
    expect(describeRefusal({ code: 5 }, who)?.code).toBe('MQTT_NOT_AUTHORIZED');
    expect(describeRefusal({ code: 99 }, who)?.code).toBe('MQTT_REFUSED');
    expect(describeRefusal({ code: 'ECONNREFUSED' }, who)).toBeUndefined();
    expect(describeRefusal(new Error('x'), who)).toBeUndefined();
  });
});
