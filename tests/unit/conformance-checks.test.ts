/**
 * The conformance verdicts (bench/conformance/checks.ts), pure: what passes, what fails, and
 * that each failure says why in words a vendor can act on.
 */
import { describe, expect, it } from 'vitest';
import {
  type Check,
  checkBirth,
  checkCounts,
  checkDeadlines,
  checkDecisions,
  checkWill,
  failed,
  formatChecks,
  type Observed,
  quantile,
} from '../../bench/conformance/checks.ts';
import type { IntersectionConfig } from '../../protocol/index.ts';

const msg = (topic: string, body: unknown, extra: Partial<Observed> = {}): Observed => ({
  topic,
  intersection: 'a',
  payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  atMs: 0,
  ...extra,
});

const config = {
  v: 1,
  id: 'a',
  approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
  phases: [
    { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 60 },
    { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 60 },
  ],
  yellowS: 3,
  allRedS: 1,
} as unknown as IntersectionConfig;

describe('birth and Last Will', () => {
  const topic = 'traffic/v1/a/status/acme';
  const birth = msg(topic, { v: 1, online: true, device: 'acme' });

  it('passes a valid birth that a later subscriber also receives', () => {
    expect(checkBirth([birth], 'acme', 't', [{ ...birth, retained: true }]).status).toBe('pass');
  });

  it('fails a birth that is not retained, one that names another device, and none at all', () => {
    const notRetained = checkBirth([birth], 'acme', 't', []);
    expect(notRetained.status).toBe('fail');
    expect(notRetained.detail).toMatch(/none retained/);
    const other = checkBirth([msg(topic, { v: 1, online: true, device: 'zed' })], 'acme', 't');
    expect(other.detail).toMatch(/names device 'zed'/);
    const offline = checkBirth([msg(topic, { v: 1, online: false })], 'acme', 't');
    expect(offline.status).toBe('fail');
    const invalid = checkBirth([msg(topic, { v: 1, online: 'yes' })], 'acme', 't');
    expect(invalid.detail).toMatch(/1 invalid status message\(s\): \/online/);
  });

  it('a Last Will is an {online:false} after the cut; a birth is not one', () => {
    expect(checkWill([msg(topic, { v: 1, online: false })], 'acme', 't').status).toBe('pass');
    const none = checkWill([birth], 'acme', 't');
    expect(none.status).toBe('fail');
    expect(none.detail).toMatch(/no Last Will registered/);
  });
});

describe('decisions', () => {
  const ticks = new Map([['a', new Set([1000, 2000, 3000])]]);
  const configs = new Map([['a', config]]);
  const d = (t: number, phase: string, seq = 0) =>
    msg('traffic/v1/a/decision', { v: 1, controller: 'acme', seq, t, phase });

  it('passes one valid decision per published tick naming known phases', () => {
    const v = checkDecisions([d(1000, 'ns'), d(2000, 'ew', 1), d(3000, 'ew', 2)], ticks, configs);
    expect([v.valid.status, v.phases.status, v.onePerTick.status]).toEqual([
      'pass',
      'pass',
      'pass',
    ]);
  });

  it('fails invalid messages, unknown phases, repeats and ticks never published, saying which', () => {
    const v = checkDecisions(
      [
        d(1000, 'ns'),
        d(1000, 'ew'),
        d(2000, 'nope'),
        d(3000, 'nope'),
        d(9000, 'ns'),
        msg('traffic/v1/a/decision', '{"v":1,'),
        msg('traffic/v1/a/decision', { v: 1, phase: 'ns' }),
      ],
      ticks,
      configs,
    );
    expect(v.valid.status).toBe('fail');
    expect(v.valid.detail).toMatch(/^2 of 7 invalid: a: \/ payload is not JSON/);
    expect(v.phases.detail).toBe(
      "2 of 7 decisions ask for an unknown phase: a: 'nope' (known: ns, ew) ×2",
    );
    expect(v.onePerTick.detail).toMatch(/two decisions for t=1000; a: t=9000 was never published/);
  });

  it('fails every check when nothing came', () => {
    const v = checkDecisions([], ticks, configs);
    expect([v.valid, v.phases, v.onePerTick].map((c) => c.detail)).toEqual([
      'no decision received',
      'no decision received',
      'no decision received',
    ]);
  });

  it('deadlines: every tick answered, with the answer times', () => {
    const ok = checkDeadlines({ ticks: 4, missed: 0, latencyMs: [1, 2, 3, 40] }, 100);
    expect(ok.status).toBe('pass');
    expect(ok.detail).toBe('4 ticks, none missed; answer time p50 2 ms, p99 40 ms');
    const late = checkDeadlines({ ticks: 4, missed: 1, latencyMs: [1, 2, 3] }, 100);
    expect(late.detail).toMatch(/^1 of 4 ticks had no decision in time/);
    expect(checkDeadlines({ ticks: 0, missed: 0, latencyMs: [] }, 100).status).toBe('fail');
    expect(quantile([5, 1, 3], 0.5)).toBe(3);
  });
});

describe('counts of a sensor', () => {
  const topic = 'traffic/v1/a/counts/a-det';
  const T0 = 1_800_000_000_000;
  const counts = (seq: number, extra: Record<string, unknown> = {}, boot = 'b1') =>
    msg(
      topic,
      {
        v: 1,
        sensor: 'a-det',
        boot,
        seq,
        from: T0 + seq * 1000,
        to: T0 + (seq + 1) * 1000,
        detectors: [{ id: 'N-through-stop', count: 1 }],
        ...extra,
      },
      { atMs: T0 + (seq + 1) * 1000 + 50 },
    );
  const opts = { sensor: 'a-det', config, clockToleranceMs: 5000, minMessages: 2 };
  const byId = (cs: ReturnType<typeof checkCounts>) => Object.fromEntries(cs.map((c) => [c.id, c]));

  it('passes valid, contiguous, in-sequence counts on time from known detectors, across a restart', () => {
    const cs = checkCounts([counts(0), counts(1), counts(2), counts(0, {}, 'b2')], opts);
    expect(cs.map((c) => [c.id, c.status])).toEqual([
      ['publishes', 'pass'],
      ['valid-messages', 'pass'],
      ['sequence', 'pass'],
      ['intervals', 'pass'], // a restart (new boot) starts its own seq and intervals
      ['clock', 'pass'],
      ['known-detectors', 'pass'],
    ]);
    const clean = checkCounts([counts(0), counts(1), counts(2)], opts);
    expect(failed(clean)).toBe(0);
  });

  it('fails each defect with the reason', () => {
    const c = byId(
      checkCounts(
        [
          counts(0),
          counts(1, { detectors: [{ id: 'N-through-stop', count: -1 }] }),
          counts(2, { sensor: 'other' }),
          counts(3, { detectors: [{ id: 'X-ghost', count: 0 }] }),
          counts(5),
          counts(6, { from: T0 - 3_600_000, to: T0 - 3_599_000 }),
        ],
        opts,
      ),
    );
    expect(c['valid-messages']!.detail).toBe(
      "2 of 6 invalid: /detectors/0/count 'count' must be >= 0; 'sensor' is 'other', the topic says 'a-det'",
    );
    expect(c.sequence!.detail).toBe('boot b1: seq 0 then 3; boot b1: seq 3 then 5');
    expect(c.intervals!.status).toBe('fail');
    expect(c.intervals!.detail).toContain('2027-01-15T08:00:04.000Z');
    expect(c.clock!.detail).toMatch(/^1 of 4 off, e\.g\. 3606 s$/);
    expect(c['known-detectors']!.detail).toBe('unknown: X-ghost');
  });

  it('skips the detector check without a config, and fails on silence', () => {
    const c = byId(checkCounts([counts(0), counts(1)], { ...opts, config: undefined }));
    expect(c['known-detectors']!.status).toBe('skip');
    const silent = byId(checkCounts([], opts));
    expect(silent.publishes!.status).toBe('fail');
    expect(silent['valid-messages']!.detail).toBe('no message received');
  });
});

it('formats a report with a verdict line', () => {
  const text = formatChecks('mqtt:acme', [
    { id: 'a', title: 'first', status: 'pass', detail: 'fine' },
    { id: 'b', title: 'second', status: 'fail', detail: 'broken' },
    { id: 'c', title: 'third', status: 'skip', detail: 'n/a' },
  ]);
  expect(text).toBe(
    'conformance of mqtt:acme (protocol v1)\nPASS  first\n      fine\nFAIL  second\n      broken\nSKIP  third\n      n/a\n1 of 3 checks FAILED',
  );
});

it('formats the report in French: marks, verdict and plural forms', () => {
  const checks: Check[] = [
    { id: 'a', title: 'first', status: 'pass', detail: 'fine' },
    { id: 'b', title: 'second', status: 'fail', detail: 'broken' },
  ];
  const text = formatChecks('capteur a-det', checks, 'fr');
  expect(text).toBe(
    'conformité de capteur a-det (protocole v1)\nRÉUSSI    first\n          fine\nÉCHEC     second\n          broken\n1 contrôle sur 2 en ÉCHEC',
  );
  const ok = formatChecks('mqtt:acme', [checks[0]!, { ...checks[1]!, status: 'skip' }], 'fr');
  expect(ok.split('\n').at(-1)).toBe('1 contrôle réussi (1 non fait)');
  expect(ok).not.toMatch(/PASS|FAIL|SKIP|checks|skipped|conformance of/);
});
