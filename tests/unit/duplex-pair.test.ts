/**
 * ops/duplex-pair.ts: what one side writes the other reads, in order, both ways; ending one
 * side ends the other's reading; destroying one destroys both.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { duplexPair } from '../../ops/duplex-pair.ts';

describe('duplexPair', () => {
  it('carries bytes both ways, in order', async () => {
    const [a, b] = duplexPair();
    const got: string[] = [];
    b.on('data', (d: Buffer) => got.push(String(d)));
    a.cork();
    a.write('one ');
    a.write('two ');
    a.uncork();
    a.write('three');
    const back = once(a, 'data');
    b.write('pong');
    expect(String((await back)[0])).toBe('pong');
    await new Promise((r) => setImmediate(r));
    expect(got.join('')).toBe('one two three');
  });

  it('ends the other side when one ends, and destroys both when one is destroyed', async () => {
    const [a, b] = duplexPair();
    b.resume();
    const ended = once(b, 'end');
    a.end();
    await ended;
    const [c, d] = duplexPair();
    const closed = once(d, 'close');
    c.destroy();
    await closed;
    expect(d.destroyed).toBe(true);
  });
});
