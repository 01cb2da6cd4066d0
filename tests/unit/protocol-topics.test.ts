import { describe, expect, it } from 'vitest';
import { assertId, InvalidIdError, parseTopic, topics } from '../../protocol/index.ts';

describe('topics', () => {
  const t = topics();
  it.each([
    ['config', t.config('a'), { kind: 'config', intersection: 'a' }],
    ['counts', t.counts('a-1', 's_2'), { kind: 'counts', intersection: 'a-1', sensor: 's_2' }],
    ['status', t.status('X', 'dev'), { kind: 'status', intersection: 'X', device: 'dev' }],
    ['decision', t.decision('a'), { kind: 'decision', intersection: 'a' }],
    ['signal', t.signal('a'), { kind: 'signal', intersection: 'a' }],
  ])('%s round-trips', (_k, topic, parsed) => {
    expect(topic.startsWith('traffic/v1/')).toBe(true);
    expect(parseTopic(topic)).toEqual({ root: 'traffic', ...parsed });
  });

  it('works under a custom multi-level root', () => {
    const c = topics('city/west');
    expect(c.counts('a', 's')).toBe('city/west/v1/a/counts/s');
    expect(parseTopic(c.counts('a', 's'), 'city/west')).toMatchObject({
      kind: 'counts',
      sensor: 's',
    });
    expect(parseTopic(c.counts('a', 's'))).toBeUndefined();
  });

  it.each(['a/b', 'a+', '#', '', 'x'.repeat(65), 'a b', 'é', 'a\u0000'])(
    'refuses the bad id %j, naming it',
    (bad) => {
      expect(() => t.config(bad)).toThrow(InvalidIdError);
      expect(() => t.counts('a', bad)).toThrow(JSON.stringify(bad));
      expect(() => assertId('sensor', bad)).toThrow(/invalid sensor id/);
    },
  );

  it.each([
    'traffic/v1/a',
    'traffic/v2/a/config',
    'traffic/v1/a/counts',
    'traffic/v1/a/counts/s/x',
    'traffic/v1/a+/config',
    'traffic/v1/a/other',
    'other/v1/a/config',
  ])('parses %s as no protocol topic', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });

  it('refuses roots with wildcards or empty levels', () => {
    for (const root of ['', 'a/+', '#', '/a', 'a/', 'a//b', '$SYS'])
      expect(() => topics(root)).toThrow(/invalid topic root/);
  });

  it('gives subscription filters', () => {
    expect(t.filters.counts).toBe('traffic/v1/+/counts/+');
    expect(t.filters.all).toBe('traffic/v1/#');
  });
});
