/**
 * Issue 18.13: the default spool is per user and per sink (never `data/spool` under whatever
 * directory the collector was started in), and a spool holding another sink's batches is
 * refused unless forced.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollector } from '../../collector/index.ts';
import { int } from '../../collector/point.ts';
import type { SinkOptions } from '../../collector/sinks/registry.ts';
import { createSpool } from '../../collector/spool.ts';
import { defaultSpoolDir, sinkIdentity, stateRoot } from '../../collector/state-dir.ts';

const one: SinkOptions = {
  kind: 'influx-v1',
  url: 'http://admin:secret@127.0.0.1:8086',
  database: 'openphase',
};
const two: SinkOptions = { ...one, database: 'openphase_demo' };

describe('the default spool directory', () => {
  it('lives in the user state directory, keyed by the sink, without credentials', () => {
    const env = { XDG_STATE_HOME: '/home/eng/.state' };
    const a = defaultSpoolDir(one, { env });
    const b = defaultSpoolDir(two, { env });
    expect(
      a.startsWith('/home/eng/.state/openphase/spool/influx-v1_127.0.0.1_8086_db_openphase-'),
    ).toBe(true);
    expect(b).not.toBe(a);
    expect(a).not.toContain('secret');
    expect(a).not.toContain('admin');
    expect(defaultSpoolDir(one, { env })).toBe(a); // stable across runs
    expect(sinkIdentity(one)).toBe('influx-v1 http://127.0.0.1:8086 db=openphase');
  });

  it('falls back to ~/.local/state, ignores a relative XDG_STATE_HOME, and /var/lib for a service', () => {
    expect(stateRoot({ env: {}, home: '/home/eng' })).toBe('/home/eng/.local/state/openphase');
    expect(stateRoot({ env: { XDG_STATE_HOME: 'rel/dir' }, home: '/home/eng' })).toBe(
      '/home/eng/.local/state/openphase',
    );
    expect(stateRoot({ service: true, env: {} })).toBe('/var/lib/openphase');
    expect(stateRoot({ env: { OPENPHASE_SERVICE: '1' } })).toBe('/var/lib/openphase');
  });
});

describe('a spool belongs to one sink', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to replay another sink's batches unless forced", async () => {
    dir = mkdtempSync(join(tmpdir(), 'op-spool-owner-'));
    const first = createSpool({ dir, owner: sinkIdentity(one) });
    first.open();
    await first.append([
      { measurement: 'counts', tags: { sensor: 's1' }, fields: { count: int(1) }, timeMs: 1 },
    ]);
    expect(() => createSpool({ dir, owner: sinkIdentity(two) }).open()).toThrow(
      /holds 1 batches for influx-v1 http:\/\/127.0.0.1:8086 db=openphase, not .*db=openphase_demo/,
    );
    // the same sink replays as before
    const again = createSpool({ dir, owner: sinkIdentity(one) });
    again.open();
    expect(again.batches()).toBe(1);
    // forced: taken over by the new sink
    const forced = createSpool({ dir, owner: sinkIdentity(two), force: true });
    forced.open();
    expect(forced.batches()).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'sink.json'), 'utf8')).sink).toBe(sinkIdentity(two));
  });

  it('the collector does not start on a spool left for another database', async () => {
    dir = mkdtempSync(join(tmpdir(), 'op-spool-owner-'));
    const left = createSpool({ dir, owner: sinkIdentity(one) });
    left.open();
    await left.append([
      { measurement: 'counts', tags: { sensor: 's1' }, fields: { count: int(1) }, timeMs: 1 },
    ]);
    const collector = createCollector({
      mqttUrl: 'mqtt://127.0.0.1:1',
      sink: two,
      spoolDir: dir,
      logEveryMs: 0,
      log: () => {},
    });
    await expect(collector.start()).rejects.toMatchObject({ code: 'OP_SPOOL_OTHER_SINK' });
    await collector.close();
  });
});
