/** The retained ledger: which topics may be retained, and the per-device byte quota. */
import { describe, expect, it } from 'vitest';
import {
  createRetainedLedger,
  DEFAULT_MAX_RETAINED_BYTES,
  DEFAULT_MAX_RETAINED_BYTES_ALL,
  retainedQuota,
} from '../../broker/index.ts';

const topic = (i: string, rest: string) => `traffic/v1/${i}/${rest}`;

describe('retained ledger', () => {
  it('allows retain on config, status and signal only', () => {
    const l = createRetainedLedger(10_000, 'traffic');
    expect(l.admit('d', topic('a', 'config'), 10).ok).toBe(true);
    expect(l.admit('d', topic('a', 'signal'), 10).ok).toBe(true);
    expect(l.admit('d', topic('a', 'status/d'), 10).ok).toBe(true);
    expect(l.admit('d', topic('a', 'counts/d'), 10)).toEqual({
      ok: false,
      reason: 'retain-not-allowed',
    });
    expect(l.admit('d', topic('a', 'decision'), 10).ok).toBe(false);
    expect(l.admit('d', 'elsewhere/x', 10).ok).toBe(false);
  });

  it('books topic + payload bytes; a replacement counts once; an empty payload frees', () => {
    const t = topic('a', 'config');
    const each = Buffer.byteLength(t) + 100;
    const l = createRetainedLedger(each, 'traffic');
    expect(l.admit('d', t, 100).ok).toBe(true);
    expect(l.admit('d', t, 100).ok).toBe(true); // replaces itself: still one
    expect(l.bytesOf('d')).toBe(each);
    expect(l.admit('d', topic('b', 'config'), 1)).toEqual({ ok: false, reason: 'retained-quota' });
    expect(l.admit('d', t, 0).ok).toBe(true);
    expect(l.bytesOf('d')).toBe(0);
    expect(l.admit('d', topic('b', 'config'), 100).ok).toBe(true);
  });

  it("moves a topic's bytes to whoever retained it last", () => {
    const t = topic('a', 'config');
    const l = createRetainedLedger(1000, 'traffic');
    l.admit('d1', t, 50);
    l.admit('d2', t, 60);
    expect(l.bytesOf('d1')).toBe(0);
    expect(l.bytesOf('d2')).toBe(Buffer.byteLength(t) + 60);
  });

  it('the default quota grows with what a device serves; an explicit one applies to all', () => {
    const few = { intersections: ['a', 'b'] };
    const many = { intersections: Array.from({ length: 200 }, (_, i) => `i${i}`) };
    expect(retainedQuota(few)).toBe(DEFAULT_MAX_RETAINED_BYTES);
    expect(retainedQuota(many)).toBe(200 * 16 * 1024);
    expect(retainedQuota({ intersections: '*' })).toBe(DEFAULT_MAX_RETAINED_BYTES_ALL);
    expect(retainedQuota(undefined)).toBe(DEFAULT_MAX_RETAINED_BYTES); // anonymous (insecure)
    expect(retainedQuota({ intersections: '*' }, 4096)).toBe(4096);
  });

  it('judges each device against its own quota', () => {
    const l = createRetainedLedger((d) => (d === 'big' ? 10_000 : 100), 'traffic');
    expect(l.admit('small', topic('a', 'status/small'), 200).ok).toBe(false);
    expect(l.admit('big', topic('a', 'status/big'), 200).ok).toBe(true);
  });
});
