/**
 * The ACL decisions, pure: may this device publish to / subscribe to / receive this topic?
 * Driven only by roles.ts (ROLE_TABLE → devicePatterns), the same patterns Mosquitto gets.
 */
import { DEFAULT_ROOT, parseTopic } from '../protocol/index.ts';
import { type DeviceIdentity, devicePatterns, ROLE_TABLE } from './roles.ts';
import { isValidFilter, PatternSet } from './topic-match.ts';

/** Why a publish or subscription was refused; these strings are the keys of `stats().refused`. */
export type AclReason =
  | 'system-topic' // '$…' topics belong to the broker
  | 'not-a-protocol-topic' // outside `{root}/v1/…` or not a v1 topic shape
  | 'other-intersection' // the device does not act for that intersection
  | 'other-device' // e.g. a sensor publishing another sensor's counts
  | 'role' // the role never publishes/reads this kind of topic
  | 'bad-filter'
  | 'shared-subscription' // `$share/…`: aedes has none (run on Mosquitto for that)
  | 'oversize'; // payload over the broker's limit: acknowledged and dropped

export type AclResult = { ok: true } | { ok: false; reason: AclReason };

const OK: AclResult = { ok: true };
const no = (reason: AclReason): AclResult => ({ ok: false, reason });

export interface CompiledAcl {
  readonly device: DeviceIdentity;
  publish(topic: string): AclResult;
  subscribe(filter: string): AclResult;
  /** Checked on every delivery: a granted wide filter still only carries readable topics. */
  read(topic: string): boolean;
}

/** Precomputes a device's patterns once (the broker caches this per connected client). */
export function compileAcl(device: DeviceIdentity, root: string = DEFAULT_ROOT): CompiledAcl {
  const patterns = devicePatterns(device, root);
  // the intersection is level (root levels + 1): `{root…}/v1/{intersection}/…`
  const level = root.split('/').length + 1;
  const pub = new PatternSet(patterns.publish, level);
  const read = new PatternSet(patterns.read, level);
  const admin = device.role === 'admin';
  const inScope = (intersection: string) =>
    device.intersections === '*' || device.intersections.includes(intersection);

  const publishReason = (topic: string): AclReason => {
    const parsed = parseTopic(topic, root);
    if (!parsed) return 'not-a-protocol-topic';
    if (!inScope(parsed.intersection)) return 'other-intersection';
    const kinds = ROLE_TABLE[device.role].publish.map((r) => r.topic.split('/')[0]);
    return kinds.includes(parsed.kind) ? 'other-device' : 'role';
  };

  return {
    device,
    publish(topic) {
      // [aedes#597] nobody publishes into '$SYS', admin included
      if (topic.startsWith('$')) return no('system-topic');
      if (admin || pub.matches(topic)) return OK;
      return no(publishReason(topic));
    },
    subscribe(filter) {
      if (filter.startsWith('$share/')) return no('shared-subscription');
      if (!isValidFilter(filter)) return no('bad-filter');
      if (admin || read.intersects(filter)) return OK;
      const levels = filter.split('/');
      const intersection = levels[level];
      const literal = intersection !== undefined && intersection !== '+' && intersection !== '#';
      const underV1 = levels.slice(0, level).join('/') === `${root}/v1`;
      if (read.size > 0 && underV1 && literal && !inScope(intersection)) {
        return no('other-intersection');
      }
      return no('role');
    },
    read(topic) {
      return admin || read.matches(topic);
    },
  };
}

/**
 * May `device` publish to `topic`?
 * @example authorizePublish({ id: 's1', role: 'sensor', intersections: ['a'] }, 'traffic/v1/a/decision')
 *   // { ok: false, reason: 'role' }
 */
export function authorizePublish(
  device: DeviceIdentity,
  topic: string,
  root: string = DEFAULT_ROOT,
): AclResult {
  return compileAcl(device, root).publish(topic);
}

/** May `device` subscribe with `filter`? Granted when the filter can match a readable topic. */
export function authorizeSubscribe(
  device: DeviceIdentity,
  filter: string,
  root: string = DEFAULT_ROOT,
): AclResult {
  return compileAcl(device, root).subscribe(filter);
}

/** May `device` receive a message on concrete `topic`? */
export function authorizeRead(
  device: DeviceIdentity,
  topic: string,
  root: string = DEFAULT_ROOT,
): boolean {
  return compileAcl(device, root).read(topic);
}
