/**
 * Scenario files: YAML or JSON, validated with path-named problems. A bare name such as
 * `two-phase` means the bundled `simulator/scenarios/two-phase.yaml`. Format: docs/scenarios.md.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  detectorsOf,
  formatProblems,
  type Problem,
  type Scenario,
  validateScenario,
} from '../protocol/index.ts';

export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
/** Scenario files larger than this are refused before parsing. */
export const MAX_SCENARIO_BYTES = 32 * 1024 * 1024;

/** A scenario that cannot be used; `problems` name the path of each. Code OP_BAD_SCENARIO. */
export class ScenarioError extends Error {
  readonly code = 'OP_BAD_SCENARIO';
  constructor(
    readonly source: string,
    readonly problems: Problem[],
  ) {
    super(`scenario ${source} is not valid:\n${formatProblems(problems)}`);
    this.name = 'ScenarioError';
  }
}

/** Names of the bundled scenarios, sorted. */
export function listBundledScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Checks the engine needs beyond `validateScenario`: links and faults that name real things. */
export function checkScenario(scenario: Scenario): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(scenario.intersections.map((c) => [c.id, c]));
  const exits = new Set<string>();
  const entries = new Set<string>();
  (scenario.links ?? []).forEach((l, i) => {
    const from = byId.get(l.from);
    const to = byId.get(l.to);
    if (!from || !to) return; // reported by validateScenario
    const exitKey = `${l.from}/${l.exit}`;
    if (exits.has(exitKey))
      problems.push({
        code: 'link-twice',
        path: `/links/${i}/exit`,
        message: `two links leave '${l.from}' by '${l.exit}'`,
      });
    exits.add(exitKey);
    const entryKey = `${l.to}/${l.entry}`;
    if (entries.has(entryKey))
      problems.push({
        code: 'link-twice',
        path: `/links/${i}/entry`,
        message: `two links enter '${l.to}' on '${l.entry}'`,
      });
    entries.add(entryKey);
    if (l.from === l.to)
      problems.push({
        code: 'link-loop',
        path: `/links/${i}/to`,
        message: 'a link cannot loop back',
      });
    const served = to.phases.flatMap((p) => p.movements).filter((m) => m.startsWith(`${l.entry}-`));
    if (served.length === 0 && to.approaches[l.entry]) {
      problems.push({
        code: 'demand-unserved',
        path: `/links/${i}/entry`,
        message: `no phase of '${l.to}' serves a movement from '${l.entry}'`,
      });
    }
  });
  (scenario.faults ?? []).forEach((f, i) => {
    const [ic, det] = f.detector.split('/');
    const config = byId.get(ic!);
    if (!config || det === '*') return;
    if (!detectorsOf(config).some((d) => d.id === det)) {
      problems.push({
        code: 'unknown-detector',
        path: `/faults/${i}/detector`,
        message: `'${ic}' has no detector '${det}' (see detectorsOf: {laneGroup}-stop, {laneGroup}-advance)`,
      });
    }
  });
  return problems;
}

/** Validates an already parsed scenario; throws ScenarioError listing every problem. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const r = validateScenario(value);
  if (!r.ok) throw new ScenarioError(source, r.problems);
  const more = checkScenario(r.value);
  if (more.length > 0) throw new ScenarioError(source, more);
  return r.value;
}

/** Parses YAML or JSON text (JSON is YAML too) into a validated scenario. */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 10_000 });
  } catch (e) {
    const err = e as { message?: string; linePos?: { line: number; col: number }[] };
    const at = err.linePos?.[0];
    throw new ScenarioError(source, [
      {
        code: 'not-yaml',
        path: '/',
        message: `not valid YAML/JSON${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${(err.message ?? String(e)).split('\n')[0]}`,
      },
    ]);
  }
  return parseScenario(value, source);
}

/**
 * Loads a scenario by bundled name or path.
 * @example const s = await loadScenario('grid-3x3');
 */
export async function loadScenario(nameOrPath: string): Promise<Scenario> {
  const bundled = join(SCENARIO_DIR, `${nameOrPath}.yaml`);
  const path = /^[A-Za-z0-9_-]+$/.test(nameOrPath) && existsSync(bundled) ? bundled : nameOrPath;
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.byteLength > MAX_SCENARIO_BYTES)
      throw new Error(`file is over ${MAX_SCENARIO_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (e) {
    const hint = `bundled: ${listBundledScenarios().join(', ')}`;
    throw new ScenarioError(nameOrPath, [
      {
        code: 'unreadable',
        path: '/',
        message: `cannot read it (${(e as Error).message}); ${hint}`,
      },
    ]);
  }
  return parseScenarioText(text, nameOrPath);
}
