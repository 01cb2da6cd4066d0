/**
 * Config publishes are checked at the door: a config is retained and every controller and
 * collector adopts the last one, so a broken one must never replace the good one. Pure.
 */
import { decodeMessage, formatProblems, parseTopic } from '../protocol/index.ts';

export type ConfigVerdict = { ok: true } | { ok: false; reason: 'invalid-config'; why: string };

const OK: ConfigVerdict = { ok: true };

/**
 * Judges a publish to `{root}/v1/{i}/config`; any other topic passes. An empty payload (it
 * clears the retained config) is for admins only: a cabinet cannot make its intersection
 * forget its config.
 * @example checkConfigPublish('traffic/v1/a/config', Buffer.from('{}'), 'traffic', false)
 *   // { ok: false, reason: 'invalid-config', why: "/: missing required field …" }
 */
export function checkConfigPublish(
  topic: string,
  payload: Uint8Array | string,
  root: string,
  admin: boolean,
): ConfigVerdict {
  const parsed = parseTopic(topic, root);
  if (parsed?.kind !== 'config') return OK;
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size === 0) {
    return admin ? OK : { ok: false, reason: 'invalid-config', why: 'an empty config' };
  }
  const r = decodeMessage('config', payload);
  if (!r.ok)
    return { ok: false, reason: 'invalid-config', why: oneLine(formatProblems(r.problems)) };
  const id = (r.value as { id: string }).id;
  // [protocol v1: config] the config's id is its topic's intersection
  if (id !== parsed.intersection) {
    return {
      ok: false,
      reason: 'invalid-config',
      why: `/id: '${id}' is not the topic's intersection '${parsed.intersection}'`,
    };
  }
  return OK;
}

/** Problems on one bounded log line. */
const oneLine = (text: string) => text.replaceAll('\n', '; ').slice(0, 300);
