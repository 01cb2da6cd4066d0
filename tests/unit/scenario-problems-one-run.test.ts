/**
 * A scenario's schema problems and its reference problems come back in one run, not in rounds
 * (issue 17.17): fixing the schema first no longer reveals a second list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateScenario } from '../../protocol/index.ts';
import { SCENARIO_DIR } from '../../simulator/index.ts';

const base = () => parse(readFileSync(join(SCENARIO_DIR, 'two-phase.yaml'), 'utf8'));

describe('scenario problems in one run', () => {
  it('reports a schema problem and a reference problem together', () => {
    const s = base();
    s.durationS = 'an hour'; // schema
    s.demand.push({ intersection: 'nowhere', movement: 'N-through', flowVph: 100 }); // reference
    s.demand[0].movement = 'N-left'; // reference: no phase of a serves it
    const r = validateScenario(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const codes = r.problems.map((p) => `${p.code} ${p.path}`);
    expect(codes).toContain('wrong-type /durationS');
    expect(codes).toContain('unknown-intersection /demand/4/intersection');
    expect(codes).toContain('demand-unserved /demand/0/movement');
  });

  it('does not call an intersection with a schema problem unknown', () => {
    const s = base();
    s.intersections[0].yellowS = 'three'; // schema problem inside intersection a
    const r = validateScenario(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.code)).not.toContain('unknown-intersection');
    expect(r.problems.some((p) => p.path === '/intersections/0/yellowS')).toBe(true);
  });

  it('leaves a valid scenario valid', () => {
    expect(validateScenario(base()).ok).toBe(true);
  });
});
