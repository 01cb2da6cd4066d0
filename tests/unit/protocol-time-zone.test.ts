import { describe, expect, it } from 'vitest';
import {
  assertTimeZone,
  describeZone,
  formatLocal,
  instantOf,
  isTimeZone,
  localBinStart,
  localBins,
  localDays,
  offsetMs,
  startOfLocalDay,
  zoneOf,
} from '../../protocol/index.ts';

const utc = (iso: string) => Date.parse(`${iso}Z`);
const PARIS = 'Europe/Paris';
const H = 3_600_000;

describe('time zones: local days and bins (Europe/Paris DST)', () => {
  it('knows IANA zones and refuses others in plain words', () => {
    expect(isTimeZone(PARIS)).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(() => assertTimeZone('Paris', '--time-zone')).toThrow(
      /--time-zone 'Paris' is not an IANA/,
    );
    expect(zoneOf(undefined, PARIS)).toBe(PARIS);
    expect(zoneOf('America/New_York', PARIS)).toBe('America/New_York');
    expect(zoneOf()).toBe('UTC');
  });

  it('offsets: CET +1 h in winter, CEST +2 h in summer, switching at 01:00 UTC', () => {
    expect(offsetMs(utc('2026-01-15T12:00'), PARIS)).toBe(H);
    expect(offsetMs(utc('2026-07-15T12:00'), PARIS)).toBe(2 * H);
    expect(offsetMs(utc('2026-03-29T00:59:59'), PARIS)).toBe(H);
    expect(offsetMs(utc('2026-03-29T01:00'), PARIS)).toBe(2 * H);
    expect(offsetMs(utc('2026-10-25T00:59:59'), PARIS)).toBe(2 * H);
    expect(offsetMs(utc('2026-10-25T01:00'), PARIS)).toBe(H);
    expect(offsetMs(utc('2026-07-15T12:00'), 'Asia/Kathmandu')).toBe(5.75 * H);
  });

  it('the last Sunday of March has 23 hours: 23 hour bins, 92 quarter-hour bins, no 02:xx', () => {
    const [day] = localDays(utc('2026-03-29T10:00'), utc('2026-03-29T10:00') + 1, PARIS);
    expect(day).toEqual({
      date: '2026-03-29',
      fromMs: utc('2026-03-28T23:00'),
      toMs: utc('2026-03-29T22:00'),
    });
    const hours = localBins(day!.fromMs, day!.toMs, H, PARIS);
    expect(hours).toHaveLength(23);
    expect(hours.map((b) => b.label.slice(11))).not.toContain('02:00');
    expect(hours.slice(1, 3).map((b) => `${b.label.slice(11)} ${b.offset}`)).toEqual([
      '01:00 +01:00',
      '03:00 +02:00',
    ]);
    for (const b of hours) expect(b.toMs - b.fromMs).toBe(H);
    const quarters = localBins(day!.fromMs, day!.toMs, 900_000, PARIS);
    expect(quarters).toHaveLength(92);
    expect(quarters.at(-1)!.label).toBe('2026-03-29 23:45');
  });

  it('the last Sunday of October has 25 hours: 25 hour bins, 02:00 twice (+02:00 then +01:00)', () => {
    const [day] = localDays(utc('2026-10-25T12:00'), utc('2026-10-25T12:00') + 1, PARIS);
    expect(day).toEqual({
      date: '2026-10-25',
      fromMs: utc('2026-10-24T22:00'),
      toMs: utc('2026-10-25T23:00'),
    });
    const hours = localBins(day!.fromMs, day!.toMs, H, PARIS);
    expect(hours).toHaveLength(25);
    const twos = hours.filter((b) => b.label.endsWith(' 02:00'));
    expect(twos.map((b) => [b.fromMs, b.offset])).toEqual([
      [utc('2026-10-25T00:00'), '+02:00'],
      [utc('2026-10-25T01:00'), '+01:00'],
    ]);
    expect(localBins(day!.fromMs, day!.toMs, 900_000, PARIS)).toHaveLength(100);
    // a reading in the second 02:40 falls in the second 02:00 bin
    expect(localBinStart(utc('2026-10-25T01:40'), H, PARIS)).toBe(utc('2026-10-25T01:00'));
    expect(localBinStart(utc('2026-10-25T00:40'), H, PARIS)).toBe(utc('2026-10-25T00:00'));
  });

  it('days across a week holding both changes are 24 h except the two Sundays', () => {
    const spring = localDays(utc('2026-03-27T12:00'), utc('2026-03-31T12:00'), PARIS);
    expect(spring.map((d) => (d.toMs - d.fromMs) / H)).toEqual([24, 24, 23, 24, 24]);
    const fall = localDays(utc('2026-10-24T12:00'), utc('2026-10-26T12:00'), PARIS);
    expect(fall.map((d) => [d.date, (d.toMs - d.fromMs) / H])).toEqual([
      ['2026-10-24', 24],
      ['2026-10-25', 25],
      ['2026-10-26', 24],
    ]);
    expect(startOfLocalDay(utc('2026-10-25T23:30'), PARIS)).toBe(utc('2026-10-25T23:00'));
  });

  it('wall times to instants: a repeated time gives the first, a skipped one reads the old offset', () => {
    expect(instantOf(PARIS, 2026, 10, 25, 2, 30)).toBe(utc('2026-10-25T00:30'));
    expect(instantOf(PARIS, 2026, 3, 29, 2, 30)).toBe(utc('2026-03-29T01:30'));
    expect(instantOf(PARIS, 2026, 1, 1)).toBe(utc('2025-12-31T23:00'));
  });

  it('formats local times with their offset and names the zone', () => {
    expect(formatLocal(utc('2026-07-01T12:00'), PARIS)).toBe('2026-07-01 14:00 +02:00');
    expect(formatLocal(utc('2026-10-25T01:30:05'), PARIS, { seconds: true, timeOnly: true })).toBe(
      '02:30:05 +01:00',
    );
    expect(describeZone(PARIS, utc('2026-01-01T00:00'))).toBe('Europe/Paris (UTC+01:00)');
    expect(formatLocal(utc('2026-07-01T12:00'), 'UTC', { offset: false })).toBe('2026-07-01 12:00');
  });
});

describe('times given by a person', () => {
  it('reads local dates and wall times in the zone, ISO times with offsets, epoch ms', async () => {
    const { parseLocalTime } = await import('../../protocol/index.ts');
    expect(parseLocalTime('2026-10-25', PARIS)).toBe(utc('2026-10-24T22:00'));
    expect(parseLocalTime('2026-10-26', PARIS)).toBe(utc('2026-10-25T23:00'));
    expect(parseLocalTime('2026-03-29 08:00', PARIS)).toBe(utc('2026-03-29T06:00'));
    expect(parseLocalTime('2026-01-05T08:00:30', PARIS)).toBe(utc('2026-01-05T07:00:30'));
    expect(parseLocalTime('2026-01-05T08:00Z', PARIS)).toBe(utc('2026-01-05T08:00'));
    expect(parseLocalTime('2026-01-05T08:00+02:00', PARIS)).toBe(utc('2026-01-05T06:00'));
    expect(parseLocalTime('1767225600000', PARIS)).toBe(1767225600000);
    expect(() => parseLocalTime('yesterday', PARIS)).toThrow(/is not a time/);
    expect(() => parseLocalTime('2026-13-01', PARIS)).toThrow(/not a valid date/);
  });
});
