/**
 * Topic builders and parsers for protocol v1.
 * `{root}/v1/{intersection}/config | counts/{sensor} | status/{device} | decision | signal`.
 */
import { assertId, isValidId } from './ids.ts';

export const PROTOCOL_VERSION = 'v1';
export const DEFAULT_ROOT = 'traffic';

export type TopicKind = 'config' | 'counts' | 'status' | 'decision' | 'signal';

export type ParsedTopic =
  | { kind: 'config' | 'decision' | 'signal'; root: string; intersection: string }
  | { kind: 'counts'; root: string; intersection: string; sensor: string }
  | { kind: 'status'; root: string; intersection: string; device: string };

/** A root is one or more topic levels without wildcards, e.g. `traffic` or `city/traffic`. */
export function assertRoot(root: string): string {
  if (
    root.length === 0 ||
    root.length > 128 ||
    /[+#]/.test(root) ||
    root.startsWith('/') ||
    root.endsWith('/') ||
    root.includes('//') ||
    root.startsWith('$')
  ) {
    throw new Error(
      `invalid topic root ${JSON.stringify(root)}: use one or more levels without '+', '#', '$' or empty levels`,
    );
  }
  return root;
}

/**
 * Builds the topics of one root.
 * @example topics().counts('a', 's1') // 'traffic/v1/a/counts/s1'
 */
export function topics(root: string = DEFAULT_ROOT) {
  const base = `${assertRoot(root)}/${PROTOCOL_VERSION}`;
  const i = (id: string) => `${base}/${assertId('intersection', id)}`;
  return {
    root,
    base,
    config: (intersection: string) => `${i(intersection)}/config`,
    counts: (intersection: string, sensor: string) =>
      `${i(intersection)}/counts/${assertId('sensor', sensor)}`,
    status: (intersection: string, device: string) =>
      `${i(intersection)}/status/${assertId('device', device)}`,
    decision: (intersection: string) => `${i(intersection)}/decision`,
    signal: (intersection: string) => `${i(intersection)}/signal`,
    /** Subscription filters (wildcards) for consumers. */
    filters: {
      all: `${base}/#`,
      config: `${base}/+/config`,
      counts: `${base}/+/counts/+`,
      status: `${base}/+/status/+`,
      decision: `${base}/+/decision`,
      signal: `${base}/+/signal`,
    },
  };
}

export type Topics = ReturnType<typeof topics>;

/**
 * Parses a concrete topic; returns undefined for anything that is not a v1 topic under `root`
 * or whose ids are invalid.
 */
export function parseTopic(topic: string, root: string = DEFAULT_ROOT): ParsedTopic | undefined {
  const prefix = `${root}/${PROTOCOL_VERSION}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const parts = topic.slice(prefix.length).split('/');
  const [intersection, kind, id, ...rest] = parts;
  if (!isValidId(intersection) || rest.length > 0) return undefined;
  if (id === undefined) {
    if (kind === 'config' || kind === 'decision' || kind === 'signal') {
      return { kind, root, intersection };
    }
    return undefined;
  }
  if (!isValidId(id)) return undefined;
  if (kind === 'counts') return { kind, root, intersection, sensor: id };
  if (kind === 'status') return { kind, root, intersection, device: id };
  return undefined;
}
