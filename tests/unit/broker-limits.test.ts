import { describe, expect, it } from 'vitest';
import {
  countRefusal,
  createFrameScanner,
  newBucket,
  newLogGate,
  passLogGate,
  rateFor,
  takeToken,
} from '../../broker/index.ts';

describe('default publish rate per device', () => {
  it('grows with the intersections a device serves', () => {
    expect(rateFor(undefined)).toEqual({ perSecond: 2000, burst: 4000 });
    expect(rateFor({ intersections: ['a'] })).toEqual({ perSecond: 2000, burst: 4000 });
    expect(rateFor({ intersections: Array.from({ length: 100 }, (_, i) => `i${i}`) })).toEqual({
      perSecond: 2000,
      burst: 4000,
    });
    expect(rateFor({ intersections: Array.from({ length: 500 }, (_, i) => `i${i}`) })).toEqual({
      perSecond: 10_000,
      burst: 20_000,
    });
    expect(rateFor({ intersections: '*' })).toEqual({ perSecond: 50_000, burst: 100_000 });
  });

  it('an explicit rate applies to every device alike', () => {
    const fixed = { perSecond: 10, burst: 5 };
    expect(rateFor({ intersections: '*' }, fixed)).toBe(fixed);
    expect(rateFor(undefined, fixed)).toBe(fixed);
  });
});

describe('publish token bucket', () => {
  const limit = { perSecond: 10, burst: 3 };

  it('lets a burst through, then spaces publishes at the sustained rate', () => {
    let b = newBucket(limit, 0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = takeToken(b, 0, limit);
      b = r.bucket;
      waits.push(Math.round(r.waitMs));
    }
    expect(waits).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('refills with time, never above the burst', () => {
    let b = newBucket(limit, 0);
    for (let i = 0; i < 3; i++) b = takeToken(b, 0, limit).bucket;
    expect(takeToken(b, 100, limit).waitMs).toBe(0); // one token back after 100 ms
    const idle = takeToken(b, 60_000, limit).bucket;
    expect(idle.tokens).toBe(limit.burst - 1);
  });
});

describe('refusal runs', () => {
  it('disconnects on the max-th refusal in a row', () => {
    let c = 0;
    const out: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const r = countRefusal(c, 3);
      c = r.consecutive;
      out.push(r.disconnect);
    }
    expect(out).toEqual([false, false, true]);
  });
});

describe('log gate', () => {
  it('logs a burst, then about one line a second, counting what it held back', () => {
    let g = newLogGate(0);
    let logged = 0;
    let suppressedReported = 0;
    for (let i = 0; i < 1000; i++) {
      const r = passLogGate(g, i); // 1000 refusals within one second
      g = r.gate;
      if (r.log) logged++;
      suppressedReported += r.suppressed;
    }
    expect(logged).toBeLessThanOrEqual(11);
    const later = passLogGate(g, 5000);
    expect(later.log).toBe(true);
    expect(suppressedReported + later.suppressed + logged).toBe(1000);
  });
});

describe('MQTT frame scanner', () => {
  const publish = (payloadBytes: number) => {
    const topic = Buffer.from('t/x');
    const body = Buffer.concat([
      Buffer.from([0, topic.length]),
      topic,
      Buffer.alloc(payloadBytes, 1),
    ]);
    const len: number[] = [];
    let n = body.length;
    do {
      let byte = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) byte |= 0x80;
      len.push(byte);
    } while (n > 0);
    return Buffer.concat([Buffer.from([0x30, ...len]), body]);
  };

  it('passes packets under the limit, however the stream is chunked', () => {
    const stream = Buffer.concat([
      publish(10),
      publish(200),
      Buffer.from([0xc0, 0]),
      publish(1000),
    ]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const scan = createFrameScanner(2000);
      let verdict = 'ok';
      for (let i = 0; i < stream.length; i += size) verdict = scan(stream.subarray(i, i + size));
      expect(verdict).toBe('ok');
    }
  });

  it('flags a packet announcing more than the limit from its header alone', () => {
    const scan = createFrameScanner(1000);
    expect(scan(publish(10))).toBe('ok');
    // only the fixed header of a 300 MB packet: refused before any body arrives
    expect(scan(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x01]))).toBe('oversize');
    expect(scan(publish(1))).toBe('oversize'); // stays refused
  });

  it('flags a remaining length longer than four bytes as malformed', () => {
    expect(createFrameScanner(1e9)(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(
      'malformed',
    );
  });
});
