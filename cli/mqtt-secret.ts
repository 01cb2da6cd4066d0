/**
 * Where a command's MQTT password comes from: never the command line (any user can read a
 * process's arguments with `ps`). `--password-file FILE` (first line) or the
 * OPENPHASE_MQTT_PASSWORD environment variable; the file wins.
 */
import { Option } from 'commander';
import { readSecret } from './secrets.ts';

export const PASSWORD_ENV = 'OPENPHASE_MQTT_PASSWORD';

export const passwordFileOption = () =>
  new Option(
    '--password-file <file>',
    `file holding the MQTT password (first line); else $${PASSWORD_ENV}`,
  ).env('OPENPHASE_MQTT_PASSWORD_FILE');

/** The password from the file option or the environment; undefined when neither is set. */
export function mqttPassword(file: string | undefined): string | undefined {
  return readSecret(file, PASSWORD_ENV);
}
