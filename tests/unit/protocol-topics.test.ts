import fc from 'fast-check';
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

  it('round-trips random valid ids', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        (i, s) => {
          expect(parseTopic(t.counts(i, s))).toEqual({
            root: 'traffic',
            kind: 'counts',
            intersection: i,
            sensor: s,
          });
          expect(parseTopic(t.status(i, s))).toMatchObject({ kind: 'status', device: s });
        },
      ),
      { seed: 3, numRuns: 500 },
    );
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
      const builders: [string, () => string][] = [
        ['intersection', () => t.config(bad)],
        ['intersection', () => t.counts(bad, 's')],
        ['sensor', () => t.counts('a', bad)],
        ['intersection', () => t.status(bad, 'd')],
        ['device', () => t.status('a', bad)],
        ['intersection', () => t.decision(bad)],
        ['intersection', () => t.signal(bad)],
      ];
      for (const [kind, build] of builders) {
        expect(build).toThrow(InvalidIdError);
        expect(build).toThrow(`invalid ${kind} id ${JSON.stringify(bad)}`);
      }
      expect(() => assertId('sensor', bad)).toThrow(/invalid sensor id/);
      if (!bad.includes('/')) {
        expect(parseTopic(`traffic/v1/${bad}/decision`)).toBeUndefined();
        expect(parseTopic(`traffic/v1/a/counts/${bad}`)).toBeUndefined();
      }
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
