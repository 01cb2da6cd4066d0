/** Locating the real services tests need; a missing one is a failure that says how to install it. */
import { accessSync, constants } from 'node:fs';

const INSTALL: Record<string, string> = {
  influxd: 'apt-get install -y influxdb   (Debian package: InfluxDB 1.x server)',
  influx: 'apt-get install -y influxdb-client',
  mosquitto: 'apt-get install -y mosquitto',
  mosquitto_passwd: 'apt-get install -y mosquitto',
  chromium: 'apt-get install -y chromium',
  snmpget: 'apt-get install -y snmp   (Debian package: the net-snmp command-line tools)',
  snmpset: 'apt-get install -y snmp',
  'systemd-analyze': 'apt-get install -y systemd',
  sumo: 'apt-get install -y sumo   (Debian package: SUMO, the microsimulator, with netconvert)',
  netconvert: 'apt-get install -y sumo',
};

const SEARCH = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin'];

/** The command that installs `name` on Debian/Ubuntu. */
export function installHint(name: string): string {
  return INSTALL[name] ?? `apt-get install -y ${name}`;
}

/** Absolute path of `name`, or an Error naming the apt package that provides it. */
export function requireBinary(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH];
  for (const dir of dirs) {
    const file = `${dir}/${name}`;
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw new Error(
    `'${name}' is needed by this test and was not found. Install it: ${installHint(name)} (or run 'bash scripts/test.sh', which installs what the tests need).`,
  );
}
