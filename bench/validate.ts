/** Validating a scorecard against its schema (pure), before writing or re-rendering one. */
import { Compile } from 'typebox/compile';
import { Scorecard, type ScorecardT } from './scorecard-schema.ts';

const validator = Compile(Scorecard);

/** The scorecard's problems as `path: message` lines (at most `max`); [] when valid. */
export function scorecardProblems(value: unknown, max = 20): string[] {
  if (validator.Check(value)) return [];
  const out: string[] = [];
  for (const e of validator.Errors(value)) {
    out.push(`${e.instancePath || '/'}: ${e.message}`);
    if (out.length >= max) break;
  }
  return out;
}

/** The value as a Scorecard, or an Error (code OP_BAD_SCORECARD) listing what is wrong. */
export function checkScorecard(value: unknown): ScorecardT {
  const problems = scorecardProblems(value);
  if (problems.length === 0) return value as ScorecardT;
  const err = new Error(`not a valid scorecard:\n  ${problems.join('\n  ')}`) as Error & {
    code: string;
  };
  err.code = 'OP_BAD_SCORECARD';
  throw err;
}
