/**
 * Secrets for the field processes, never from the command line (any local user can read a
 * process's arguments): SNMP credentials from a file (YAML/JSON: `community`, or `user`,
 * `authProtocol`, `authKey`, `privProtocol`, `privKey`) or from environment variables
 * (OPENPHASE_SNMP_COMMUNITY, OPENPHASE_SNMP_USER, OPENPHASE_SNMP_AUTH_PROTOCOL,
 * OPENPHASE_SNMP_AUTH_KEY, OPENPHASE_SNMP_PRIV_PROTOCOL, OPENPHASE_SNMP_PRIV_KEY).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const KEYS = ['community', 'user', 'authProtocol', 'authKey', 'privProtocol', 'privKey'] as const;
const ENV: Record<(typeof KEYS)[number], string> = {
  community: 'OPENPHASE_SNMP_COMMUNITY',
  user: 'OPENPHASE_SNMP_USER',
  authProtocol: 'OPENPHASE_SNMP_AUTH_PROTOCOL',
  authKey: 'OPENPHASE_SNMP_AUTH_KEY',
  privProtocol: 'OPENPHASE_SNMP_PRIV_PROTOCOL',
  privKey: 'OPENPHASE_SNMP_PRIV_KEY',
};
export const SNMP_ENV = Object.values(ENV);

/** SNMP credentials from `file` when given, else from the environment. */
export function snmpCredentials(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (file) {
    const value = parse(readFileSync(file, 'utf8')) as unknown;
    if (!value || typeof value !== 'object')
      throw new Error(`${file}: expected 'community: …' or 'user: …' (YAML or JSON)`);
    for (const k of KEYS) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = String(v);
    }
    for (const k of Object.keys(value))
      if (!(KEYS as readonly string[]).includes(k)) throw new Error(`${file}: unknown key '${k}'`);
    return out;
  }
  for (const k of KEYS) {
    const v = env[ENV[k]];
    if (v) out[k] = v;
  }
  return out;
}
