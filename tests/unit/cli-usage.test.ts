/**
 * Usage errors of every command, as an operator meets them: a mistyped flag is named (with
 * the flag meant) before any required option is said to be missing; a flag without its
 * value, a bad port, a bad date or an unreadable file: one line, `openphase <command>: …`, in
 * the CLI's language, exit code ≠ 0, no stack trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { setCliLang } from '../../cli/lang.ts';
import { main } from '../../cli/main.ts';

afterEach(() => {
  setCliLang(undefined);
  vi.restoreAllMocks();
});

/** Runs `openphase …argv` in this process; what it wrote to stderr (commander or console). */
async function refused(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...a) => {
    err += `${a.join(' ')}\n`;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, err };
}

/** One line, no stack trace, not a success. */
function expectOneLine(r: { code: number; err: string }): void {
  expect(r.code).not.toBe(0);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/^\s+at /m);
}

describe('a mistyped flag', () => {
  it.each([
    [['measures', '--intersectoin', 'r1c1'], 'measures', '--intersectoin', '--intersection'],
    [['plan', '--intersectoin', 'r1'], 'plan', '--intersectoin', '--intersection'],
    [['simulate', '--scenaro', 'x'], 'simulate', '--scenaro', '--scenario'],
    [['bench', '--sed', '3'], 'bench', '--sed', '--seeds'],
    [['collector', '--metrics-prt', '3'], 'collector', '--metrics-prt', '--metrics-port'],
    [['controller', '--mqt', 'x'], 'controller', '--mqt', '--mqtt'],
    [['scenario', 'from-store', '--dya', '2026-03-02'], 'scenario from-store', '--dya', '--day'],
    [['devices', 'add', '--idd', 'x'], 'devices add', '--idd', '--id'],
    [['cabinet-emulator', '--prt', '1'], 'cabinet-emulator', '--prt', '--port'],
  ])(
    '%j is named, with the flag meant, before missing required options',
    async (argv, command, typo, meant) => {
      const r = await refused(argv);
      expectOneLine(r);
      expect(r.err.trim()).toBe(
        `openphase ${command}: unknown option '${typo}' (did you mean ${meant}?)`,
      );
    },
  );

  it('is named in French with --lang fr', async () => {
    const r = await refused(['measures', '--intersectoin', 'r1c1', '--lang', 'fr']);
    expectOneLine(r);
    expect(r.err.trim()).toBe(
      'openphase measures\u202f: option inconnue «\u202f--intersectoin\u202f» (vouliez-vous dire --intersection\u202f?)',
    );
  });
});

describe('a required option, a value, a port', () => {
  it.each([
    [
      ['measures', '--intersection', 'r1', '--from', '1'],
      "openphase measures: required option '--to <time>' not specified",
    ],
    [
      ['scenario', 'from-store', '--intersection', 'a'],
      "openphase scenario from-store: required option '--day <YYYY-MM-DD>' not specified",
    ],
    [['broker', '--port'], "openphase broker: option '--port <n>' needs a value"],
    [
      ['measures', '--intersection'],
      "openphase measures: option '--intersection <id>' needs a value",
    ],
    [
      ['broker', '--port', 'abc'],
      "openphase broker: --port must be a port number from 0 to 65535, got 'abc'",
    ],
    [
      ['broker', '--port', '99999'],
      "openphase broker: --port must be a port number from 0 to 65535, got '99999'",
    ],
    [
      ['broker', '--insecure', '--ws-port', '70000'],
      "openphase broker: --ws-port must be a port number from 0 to 65535, got '70000'",
    ],
    [
      ['collector', '--metrics-port', '99999'],
      "openphase collector: --metrics-port must be a port number from 0 to 65535, got '99999'",
    ],
    [
      ['controller', '--metrics-port', 'abc'],
      "openphase controller: --metrics-port must be a port number from 0 to 65535, got 'abc'",
    ],
    [
      ['demo', '--mqtt-port', '99999'],
      "openphase demo: --mqtt-port must be a port number from 0 to 65535, got '99999'",
    ],
    [
      ['cabinet-emulator', '--config', 'x.yaml', '--intersection', 'a', '--port', '0'],
      "openphase cabinet-emulator: --port must be a port number from 1 to 65535, got '0'",
    ],
    [
      [
        'devices',
        'add',
        '--devices',
        'd.yaml',
        '--id',
        'x',
        '--role',
        'sensr',
        '--intersection',
        'a',
      ],
      "openphase devices add: option '--role <role>' cannot be 'sensr': give one of sensor, signal, controller, collector, observer, admin",
    ],
    [['intersection', 'check'], "openphase intersection check: missing required argument 'file'"],
    // used to be accepted: conformance then started a broker and waited, signal ran
    [
      ['conformance', '--controller', 'mqtt:x', '--window', 'abc'],
      "openphase conformance: --window must be a number above 0, got 'abc'",
    ],
    [
      ['signal', '--cabinet', 'a=virtual', '--stats-every', 'abc'],
      "openphase signal: --stats-every must be a number ≥ 0, got 'abc'",
    ],
  ])('%j: %s', async (argv, message) => {
    const r = await refused(argv);
    expectOneLine(r);
    expect(r.err.trim()).toBe(message);
  });
});

describe('a bad value or an unreadable file for plan, measures, scenario', () => {
  const folder = mkdtempSync(join(tmpdir(), 'op-usage-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const measures = [
    'measures',
    '--intersection',
    'a',
    '--from',
    '2026-03-02',
    '--to',
    '2026-03-03',
  ];
  const plan = ['plan', '--influx-db', 'x', '--intersection', 'a', '--from', '0', '--to', '1'];

  it.each([
    [
      [...measures, '--config', '/nonexistent/a.yaml'],
      'openphase measures: --config /nonexistent/a.yaml: cannot read it (no such file)',
      'openphase measures\u202f: --config /nonexistent/a.yaml\u202f: lecture impossible (fichier introuvable)',
    ],
    [
      [...measures, '--config', folder],
      `openphase measures: --config ${folder}: cannot read it (it is a folder, not a file)`,
      `openphase measures\u202f: --config ${folder}\u202f: lecture impossible (c’est un dossier, pas un fichier)`,
    ],
    [
      [...measures, '--config', 'a.yaml', '--bin', '7m'],
      "openphase measures: --bin: '7m' is not a period like 15m, 30m or 1h that divides a day",
      'openphase measures\u202f: --bin\u202f: «\u202f7m\u202f» n’est pas une période comme 15m, 30m ou 1h qui divise la journée',
    ],
    [
      [...measures, '--config', 'a.yaml', '--approach-speed', 'fast'],
      "openphase measures: --approach-speed must be a number from 1 to 150, got 'fast'",
      'openphase measures\u202f: --approach-speed doit être un nombre de 1 à 150, reçu «\u202ffast\u202f»',
    ],
    [
      ['plan', '--influx-db', 'x', '--intersection', 'a', '--from', 'monday', '--to', '1'],
      "openphase plan: --from: 'monday' is not an ISO date or epoch ms",
      'openphase plan\u202f: --from\u202f: «\u202fmonday\u202f» n’est ni une date ISO ni des millisecondes epoch',
    ],
    [
      [...plan, '--config', 'a.yaml', '--saturation-flow', 'abc'],
      "openphase plan: --saturation-flow must be a number from 100 to 3000, got 'abc'",
      'openphase plan\u202f: --saturation-flow doit être un nombre de 100 à 3000, reçu «\u202fabc\u202f»',
    ],
    [
      ['scenario', 'from-store', '--day', '2026-03-02', '--config', '/nonexistent/s.yaml'],
      'openphase scenario: --config /nonexistent/s.yaml: cannot read it (no such file)',
      'openphase scenario\u202f: --config /nonexistent/s.yaml\u202f: lecture impossible (fichier introuvable)',
    ],
    [
      ['controller', '--password-file', '/nonexistent/pw'],
      'openphase controller: --password-file /nonexistent/pw: cannot read it (no such file)',
      'openphase controller\u202f: --password-file /nonexistent/pw\u202f: lecture impossible (fichier introuvable)',
    ],
  ])('%j', async (argv, english, french) => {
    const en = await refused(argv);
    expectOneLine(en);
    expect(en.err.trim()).toBe(english);
    const fr = await refused([...argv, '--lang', 'fr']);
    expectOneLine(fr);
    expect(fr.err.trim()).toBe(french);
  });
});

describe('an unreadable file is named with its flag, on any command', () => {
  it.each([
    [
      [
        'cabinet-emulator',
        '--config',
        '/nonexistent/c.yaml',
        '--intersection',
        'a',
        '--port',
        '1610',
      ],
      'cabinet-emulator',
      '--config /nonexistent/c.yaml',
    ],
    [
      ['signal', '--config', '/nonexistent/c.yaml', '--cabinet', 'a=virtual'],
      'signal',
      '--config /nonexistent/c.yaml',
    ],
    [
      ['bench', '--report-from', '/nonexistent/scorecard.json', '--out', tmpdir()],
      'bench',
      '--report-from /nonexistent/scorecard.json',
    ],
    [
      [
        'broker',
        '--insecure',
        '--port',
        '0',
        '--tls-cert',
        '/nonexistent/c.pem',
        '--tls-key',
        '/nonexistent/k.pem',
      ],
      'broker',
      '--tls-cert /nonexistent/c.pem',
    ],
    [
      ['dashboard', '--port', '0', '--token-file', '/nonexistent/token'],
      'dashboard',
      '--token-file /nonexistent/token',
    ],
  ])('%j', async (argv, command, what) => {
    const r = await refused(argv);
    expectOneLine(r);
    expect(r.err.trim()).toBe(`openphase ${command}: ${what}: cannot read it (no such file)`);
  });
});
