/**
 * Checked flag values for the commands a traffic engineer types by hand (plan, measures,
 * scenario): each refusal names the flag and the value, in the CLI's language. The parsers
 * themselves stay in the core (protocol/, controller/, store-scenario/); this shell only says
 * what went wrong in the user's terms.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { parsePeriod } from '../controller/tod-plans.ts';
import { type MessageKey, type ParamsOf, t, tMaybe } from '../i18n/index.ts';
import { isTimeZone, parseLocalTime } from '../protocol/index.ts';
import { type Day, dayOf, parseHours } from '../store-scenario/zone.ts';
import { cliLang } from './lang.ts';

/** A commander argParser for an integer flag of at least `min`; the refusal names the flag. */
export const intOption = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
};

/** The core parser's result, or the translated message `key` when it throws. */
function checked<T, K extends MessageKey>(parse: () => T, key: K, ...params: ParamsOf<K>): T {
  try {
    return parse();
  } catch {
    throw new Error(t(cliLang(), key, ...params));
  }
}

/** `--from 2026-03-02`, `… 07:30`, an ISO time with offset, or epoch ms, local to `zone`. */
export const timeArg = (flag: string, value: string, zone: string): number =>
  checked(() => parseLocalTime(value, zone), 'args.time', { flag, value, zone });

/** An IANA zone, e.g. Europe/Paris. */
export function zoneArg(flag: string, value: string): string {
  if (!isTimeZone(value)) throw new Error(t(cliLang(), 'args.timeZone', { flag, value }));
  return value;
}

/** A period dividing a day (15m, 30m, 1h), in ms. */
export const periodArg = (flag: string, value: string): number =>
  checked(() => parsePeriod(value), 'args.period', { flag, value });

/** A local day `YYYY-MM-DD` in `zone` (a zone already checked). */
export const dayArg = (flag: string, value: string, zone: string): Day =>
  checked(() => dayOf(value, zone), 'args.day', { flag, value });

/** A time-of-day window `HH:MM-HH:MM`, in ms since midnight. */
export const hoursArg = (flag: string, value: string): { fromMs: number; toMs: number } =>
  checked(() => parseHours(value), 'args.hours', { flag, value });

/** A number within [min, max]. */
export function numberArg(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new Error(
      t(cliLang(), 'args.range', { flag, value, min: String(min), max: String(max) }),
    );
  return n;
}

/** A text file named by `flag`; refused in words (no such file, a folder…), with its path. */
export function readArgFile(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = String((e as NodeJS.ErrnoException).code ?? '');
    const reason = tMaybe(cliLang(), `args.reason.${code}`) ?? (e as Error).message;
    throw new Error(t(cliLang(), 'args.unreadable', { flag, file, reason }));
  }
}

/** A JSON or YAML file (by its extension) named by `flag`, parsed. */
export function readArgData(flag: string, file: string): unknown {
  const text = readArgFile(flag, file);
  const yaml = /\.ya?ml$/i.test(file);
  try {
    return yaml ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    const detail = (e as Error).message.split('\n')[0] ?? '';
    throw new Error(
      t(cliLang(), 'args.notParsed', { flag, file, format: yaml ? 'YAML' : 'JSON', detail }),
    );
  }
}
