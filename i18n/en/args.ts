/**
 * Bad values of command-line flags (cli/args.ts), for plan, measures and scenario: what a
 * traffic engineer typing dates, periods and files meets first.
 */
export const args = {
  'args.time':
    "{flag}: '{value}' is not a time: give YYYY-MM-DD, YYYY-MM-DD HH:MM (local, in {zone}), an ISO time with its offset, or epoch ms",
  'args.isoTime': "{flag}: '{value}' is not an ISO date or epoch ms",
  'args.day': "{flag}: '{value}' is not a date like 2026-03-02",
  'args.hours': "{flag}: '{value}' is not a time-of-day window like 06:00-10:00",
  'args.timeZone':
    "{flag}: '{value}' is not an IANA time zone (e.g. Europe/Paris, America/New_York, UTC)",
  'args.period': "{flag}: '{value}' is not a period like 15m, 30m or 1h that divides a day",
  'args.wholeMinutes': '{flag} must be whole minutes (15m, 30m, 1h)',
  'args.range': "{flag} must be a number from {min} to {max}, got '{value}'",
  'args.turning': "--turning: '{part}' is not like left=0.15",
  'args.toAfterFrom': '--to must be after --from',
  'args.tooLong': 'the range is longer than {days} days: ask for fewer days at a time',
  'args.unreadable': '{flag} {file}: cannot read it ({reason})',
  'args.reason.ENOENT': 'no such file',
  'args.reason.EACCES': 'permission denied',
  'args.reason.EISDIR': 'it is a folder, not a file',
  'args.reason.ENOTDIR': 'a part of the path is not a folder',
  'args.notParsed': '{flag} {file}: not valid {format} ({detail})',
} as const;
