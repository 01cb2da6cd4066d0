/**
 * The scenarios of a bench: bundled names, files, folders, and private folders whose
 * scenarios appear in the scorecard and report by name and hash only. Each file is read once;
 * its SHA-256 goes in the manifest so a rerun can prove it used the same file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../protocol/index.ts';
import { parseScenarioText, SCENARIO_DIR, ScenarioError } from '../simulator/index.ts';
import { MAX_SCENARIO_BYTES } from '../simulator/scenario.ts';

export interface BenchScenario {
  name: string;
  sha256: string;
  source: 'bundled' | 'file' | 'private';
  scenario: Scenario;
}

const SCENARIO_FILE = /\.(ya?ml|json)$/i;

export const sha256 = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex');

function readScenario(path: string, source: BenchScenario['source'], shown: string): BenchScenario {
  let bytes: Buffer;
  try {
    if (statSync(path).size > MAX_SCENARIO_BYTES)
      throw new Error(`file is over ${MAX_SCENARIO_BYTES} bytes`);
    bytes = readFileSync(path);
  } catch (e) {
    throw new ScenarioError(shown, [
      { code: 'unreadable', path: '/', message: `cannot read it (${(e as Error).message})` },
    ]);
  }
  // A private scenario's problems name the file, never its content.
  const scenario = parseScenarioText(bytes.toString('utf8'), shown);
  return { name: scenario.name, sha256: sha256(bytes), source, scenario };
}

function filesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => SCENARIO_FILE.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Resolves `--scenario` values (a bundled name, a file, or a folder of files) and `--private`
 * folders. Names must be unique across all of them.
 * @example resolveScenarios(['two-phase', 'city/rush.yaml'], ['/secure/tests'])
 */
export function resolveScenarios(
  given: readonly string[],
  privateDirs: readonly string[] = [],
): BenchScenario[] {
  const out: BenchScenario[] = [];
  for (const g of given) {
    const bundled = join(SCENARIO_DIR, `${g}.yaml`);
    if (/^[A-Za-z0-9_-]+$/.test(g) && existsSync(bundled)) {
      out.push(readScenario(bundled, 'bundled', g));
    } else if (existsSync(g) && statSync(g).isDirectory()) {
      const files = filesOf(g);
      if (files.length === 0)
        throw new Error(`--scenario ${g}: no .yaml, .yml or .json file in it`);
      for (const f of files) out.push(readScenario(f, 'file', f));
    } else {
      out.push(readScenario(g, 'file', g));
    }
  }
  for (const dir of privateDirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new Error(`--private ${dir}: not a folder`);
    const files = filesOf(dir);
    if (files.length === 0) throw new Error(`--private ${dir}: no .yaml, .yml or .json file in it`);
    files.forEach((f, i) => {
      out.push(readScenario(f, 'private', `private scenario #${i + 1} in ${dir}`));
    });
  }
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.name))
      throw new Error(`two scenarios are named '${s.name}'; names must be unique in one bench`);
    seen.add(s.name);
  }
  return out;
}
