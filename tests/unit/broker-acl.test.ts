import { describe, expect, it } from 'vitest';
import {
  authorizePublish,
  authorizeRead,
  authorizeSubscribe,
  compileAcl,
  type DeviceIdentity,
  devicePatterns,
  filtersIntersect,
  PatternSet,
  topicMatches,
} from '../../broker/index.ts';

const sensor: DeviceIdentity = { id: 's1', role: 'sensor', intersections: ['a'] };
const controller: DeviceIdentity = { id: 'c1', role: 'controller', intersections: ['a', 'b'] };
const signalAll: DeviceIdentity = { id: 'sig', role: 'signal', intersections: '*' };
const admin: DeviceIdentity = { id: 'root', role: 'admin', intersections: '*' };
const collector: DeviceIdentity = { id: 'col', role: 'collector', intersections: ['a'] };

describe('topic matching (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['a/b', 'a/c', false],
    ['a/+/c', 'a//c', true],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it.each([
    ['a/+', 'a/b', true],
    ['a/+', '+/b', true],
    ['a/#', 'a', true],
    ['a/+', 'a', false],
    ['a/b', 'a/c', false],
    ['#', 'x/y/z', true],
    ['a/+/c', 'a/b/+', true],
    ['a/+/c', 'a/b/d', false],
  ])('%s and %s intersect: %s', (x, y, expected) => {
    expect(filtersIntersect(x.split('/'), y.split('/'))).toBe(expected);
    expect(filtersIntersect(y.split('/'), x.split('/'))).toBe(expected);
  });

  it('an indexed pattern set gives the same answers as matching every pattern', () => {
    const patterns = devicePatterns(controller, 'city/traffic').read;
    const set = new PatternSet(patterns, 3);
    const topics = [
      'city/traffic/v1/a/counts/s1',
      'city/traffic/v1/b/config',
      'city/traffic/v1/c/config',
      'city/traffic/v1/a/decision',
      'city/traffic/v1/a',
      'city/other/v1/a/config',
    ];
    for (const topic of topics) {
      expect(set.matches(topic)).toBe(patterns.some((p) => topicMatches(p, topic)));
    }
  });
});

describe('role patterns (the strings Mosquitto gets)', () => {
  it('expands a sensor to its own counts and status per intersection', () => {
    expect(devicePatterns(sensor, 'traffic')).toEqual({
      publish: ['traffic/v1/a/counts/s1', 'traffic/v1/a/status/s1'],
      read: [],
    });
  });

  it("uses '+' for a device acting for every intersection", () => {
    expect(devicePatterns(signalAll, 'traffic').read).toEqual([
      'traffic/v1/+/decision',
      'traffic/v1/+/config',
    ]);
  });

  it('gives collectors the whole root whatever their intersections', () => {
    expect(devicePatterns(collector, 'traffic').read).toEqual(['traffic/#']);
  });
});

describe('authorizePublish', () => {
  it.each([
    [sensor, 'traffic/v1/a/counts/s1', true, undefined],
    [sensor, 'traffic/v1/a/counts/s2', false, 'other-device'],
    [sensor, 'traffic/v1/b/counts/s1', false, 'other-intersection'],
    [sensor, 'traffic/v1/a/decision', false, 'role'],
    [sensor, 'other/v1/a/counts/s1', false, 'not-a-protocol-topic'],
    [sensor, '$SYS/x', false, 'system-topic'],
    [controller, 'traffic/v1/b/decision', true, undefined],
    [controller, 'traffic/v1/c/decision', false, 'other-intersection'],
    [controller, 'traffic/v1/a/signal', false, 'role'],
    [signalAll, 'traffic/v1/zz/signal', true, undefined],
    [admin, 'anything/at/all', true, undefined],
    [admin, '$SYS/broker/x', false, 'system-topic'],
  ] as const)('%o → %s: %s (%s)', (device, topic, ok, reason) => {
    const r = authorizePublish(device, topic, 'traffic');
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it('honours a multi-level root', () => {
    expect(authorizePublish(sensor, 'city/traffic/v1/a/counts/s1', 'city/traffic').ok).toBe(true);
    expect(authorizePublish(sensor, 'traffic/v1/a/counts/s1', 'city/traffic').ok).toBe(false);
  });
});

describe('authorizeSubscribe and authorizeRead', () => {
  it('grants a filter that can match something readable, refuses one that cannot', () => {
    expect(authorizeSubscribe(controller, 'traffic/v1/+/counts/+').ok).toBe(true);
    expect(authorizeSubscribe(controller, 'traffic/#').ok).toBe(true);
    expect(authorizeSubscribe(controller, 'traffic/v1/a/decision')).toEqual({
      ok: false,
      reason: 'role',
    });
    expect(authorizeSubscribe(controller, 'traffic/v1/c/counts/+')).toEqual({
      ok: false,
      reason: 'other-intersection',
    });
    expect(authorizeSubscribe(sensor, '#')).toEqual({ ok: false, reason: 'role' });
    expect(authorizeSubscribe(collector, '$share/g/traffic/#')).toEqual({
      ok: false,
      reason: 'shared-subscription',
    });
    expect(authorizeSubscribe(collector, 'traffic/#/x')).toEqual({
      ok: false,
      reason: 'bad-filter',
    });
  });

  it('checks each delivered topic, so a wide granted filter carries only readable topics', () => {
    expect(authorizeRead(controller, 'traffic/v1/a/counts/s1')).toBe(true);
    expect(authorizeRead(controller, 'traffic/v1/c/counts/s1')).toBe(false);
    expect(authorizeRead(controller, 'traffic/v1/a/decision')).toBe(false);
    expect(authorizeRead(collector, 'traffic/v1/zz/decision')).toBe(true);
    expect(authorizeRead(collector, 'elsewhere/x')).toBe(false);
    expect(authorizeRead(admin, 'elsewhere/x')).toBe(true);
  });

  it('compiles once and answers the same as the one-shot functions', () => {
    const acl = compileAcl(controller, 'traffic');
    for (const topic of ['traffic/v1/a/decision', 'traffic/v1/b/signal', 'x/y']) {
      expect(acl.publish(topic)).toEqual(authorizePublish(controller, topic, 'traffic'));
      expect(acl.read(topic)).toBe(authorizeRead(controller, topic, 'traffic'));
    }
  });
});
