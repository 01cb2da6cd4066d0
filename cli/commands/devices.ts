/**
 * `openphase devices add|list|update|remove|rotate|export`: the device registry file. A running
 * `openphase broker` re-reads the file when it changes (or on SIGHUP).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  addDevice,
  DEFAULT_ITERATIONS,
  exportMosquitto,
  generateSecret,
  loadRegistry,
  MOSQUITTO_MAX_ITERATIONS,
  type MosquittoListener,
  parseHash,
  type Registry,
  ROLE_TABLE,
  ROLES,
  type Role,
  removeDevice,
  rotateDevice,
  saveRegistry,
  updateDevice,
} from '../../broker/index.ts';
import {
  refusedSecretOption,
  resolveSecret,
  type SecretSpec,
  secretFileOption,
} from '../secrets.ts';

const devicesOption = () =>
  new Option('--devices <file>', 'the device registry, YAML or JSON (".json" → JSON)')
    .env('OPENPHASE_DEVICES')
    .makeOptionMandatory();

const iterationsOption = () =>
  new Option('--iterations <n>', 'PBKDF2-SHA512 iterations of the password hash')
    .argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error('--iterations must be a positive integer');
      return n;
    })
    .default(DEFAULT_ITERATIONS);

/** The new device's password: never a command-line value (ps shows it to every user). */
const DEVICE_PASSWORD: SecretSpec = {
  flag: '--password',
  env: 'OPENPHASE_DEVICE_PASSWORD',
  what: 'the device password',
};

const passwordOptions = (cmd: Command) =>
  cmd
    .addOption(secretFileOption(DEVICE_PASSWORD))
    .addOption(refusedSecretOption(DEVICE_PASSWORD))
    .hook('preAction', resolveSecret(DEVICE_PASSWORD))
    .option('--password-stdin', 'read the password from the first line of standard input');

/** The password given, or a generated one that is printed once (never stored in clear). */
function passwordFrom(opts: { password?: string; passwordStdin?: boolean }): {
  password: string;
  generated: boolean;
} {
  if (opts.passwordStdin) {
    const line = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
    if (line.length === 0) throw new Error('--password-stdin: standard input was empty');
    return { password: line, generated: false };
  }
  if (opts.password !== undefined) {
    if (opts.password.length === 0) throw new Error('--password-file: the password is empty');
    return { password: opts.password, generated: false };
  }
  return { password: generateSecret(), generated: true };
}

function printSecret(id: string, secret: string): void {
  console.log(`device ${id}: password (shown once, store it in the device now):`);
  console.log(secret);
}

const intersectionsOf = (value: string): string[] | '*' =>
  value.trim() === '*'
    ? '*'
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);

function parseListener(value: string): MosquittoListener {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) throw new Error(`--listener ${value}: expected [host:]port`);
  return m[1] ? { host: m[1], port } : { port };
}

/** uid and gid of a user name (or numeric id), from the system's `id`. */
function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string) => {
    const r = spawnSync('id', [flag, user], { encoding: 'utf8' });
    const n = Number(r.stdout.trim());
    if (r.status !== 0 || !Number.isInteger(n)) throw new Error(`--owner: no user '${user}' here`);
    return n;
  };
  return { uid: id('-u'), gid: id('-g') };
}

function table(reg: Registry): string {
  const rows = reg.devices.map((d) => [
    d.id,
    d.role,
    d.intersections === '*' ? '*' : d.intersections.join(','),
    `pbkdf2-sha512 × ${d.hash.split('$')[2]}`,
  ]);
  const head = ['id', 'role', 'intersections', 'hash'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/**
 * One identity per instance: instances sharing one identity kick each other off (one client
 * id per device), so each gets its own id and password and is revoked on its own.
 */
function addInstances(
  reg: Registry,
  opts: {
    devices: string;
    id: string;
    role: Role;
    intersection: string;
    iterations: number;
    instances: number;
    password?: string;
    passwordStdin?: boolean;
  },
): void {
  if (opts.password !== undefined || opts.passwordStdin) {
    throw new Error(
      '--instances generates a password per instance: drop --password/--password-stdin',
    );
  }
  let next = reg;
  const secrets: [string, string][] = [];
  for (let k = 1; k <= opts.instances; k++) {
    const id = `${opts.id}-${k}`;
    const password = generateSecret();
    next = addDevice(
      next,
      { id, role: opts.role, intersections: intersectionsOf(opts.intersection), password },
      { iterations: opts.iterations },
    );
    secrets.push([id, password]);
  }
  saveRegistry(opts.devices, next);
  console.log(`added ${secrets.map(([id]) => id).join(', ')} (${opts.role}) to ${opts.devices}`);
  for (const [id, password] of secrets) printSecret(id, password);
}

export function command(): Command {
  const roles = ROLES.map((r) => `  ${r.padEnd(10)} ${ROLE_TABLE[r].summary}`).join('\n');
  const cmd = new Command('devices')
    // before the subcommands exist, so they inherit it: errors and --help come back to the
    // dispatcher as exceptions instead of process.exit()
    .exitOverride()
    .description(
      'the device registry: who may connect to the broker, in which role, for which intersections',
    )
    .addHelpText(
      'after',
      `\nRoles (ACL table in docs/security.md):\n${roles}\n\n` +
        'A running `openphase broker --devices FILE` reloads the file when it changes (or on SIGHUP)\n' +
        'and disconnects devices that were removed or rotated.',
    );

  passwordOptions(
    cmd
      .command('add')
      .description('add a device; prints a generated password once when none is given')
      .addOption(devicesOption())
      .requiredOption(
        '--id <id>',
        'device id = MQTT username = MQTT client id (A-Z a-z 0-9 _ -, ≤ 64)',
      )
      .addOption(
        new Option('--role <role>', 'what the device may do').choices(ROLES).makeOptionMandatory(),
      )
      .requiredOption(
        '--intersection <ids>',
        "intersections the device acts for: a comma-separated list (a,b) or '*' for all",
      )
      .addOption(iterationsOption())
      .addOption(
        new Option(
          '--instances <n>',
          'add n devices {id}-1 … {id}-n (same role and intersections), each with its own generated password: e.g. the collectors of one --shared-group',
        ).argParser((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error('--instances must be 1-64');
          return n;
        }),
      ),
  ).action((opts) => {
    const reg = loadRegistry(opts.devices, { create: true });
    if (opts.instances !== undefined) return addInstances(reg, opts);
    const { password, generated } = passwordFrom(opts);
    const next = addDevice(
      reg,
      { id: opts.id, role: opts.role, intersections: intersectionsOf(opts.intersection), password },
      { iterations: opts.iterations },
    );
    saveRegistry(opts.devices, next);
    console.log(`added ${opts.id} (${opts.role}) to ${opts.devices}`);
    if (generated) printSecret(opts.id, password);
  });

  cmd
    .command('list')
    .description('list devices (ids, roles, intersections; never hashes)')
    .addOption(devicesOption())
    .option('--json', 'print JSON instead of a table')
    .action((opts) => {
      const reg = loadRegistry(opts.devices);
      if (opts.json) {
        const plain = reg.devices.map(({ id, role, intersections }) => ({
          id,
          role,
          intersections,
        }));
        console.log(JSON.stringify(plain, null, 2));
      } else console.log(table(reg));
    });

  cmd
    .command('remove')
    .description('remove a device (a running broker disconnects it)')
    .addOption(devicesOption())
    .requiredOption('--id <id>', 'the device to remove')
    .action((opts) => {
      saveRegistry(opts.devices, removeDevice(loadRegistry(opts.devices), opts.id));
      console.log(`removed ${opts.id} from ${opts.devices}`);
    });

  cmd
    .command('update')
    .description(
      "change a device's role or intersections, keeping its password; a running broker applies it to the live session (no reconnect)",
    )
    .argument('[id]', 'the device to change (or --id)')
    .addOption(devicesOption())
    .option('--id <id>', 'the device to change')
    .addOption(new Option('--role <role>', 'its new role').choices(ROLES))
    .option(
      '--intersection <ids>',
      "its new intersections: a comma-separated list (a,b) or '*' for all (replaces the old list)",
    )
    .addOption(new Option('--intersections <ids>').hideHelp()) // the plural, as people type it
    .action((idArg: string | undefined, opts) => {
      const id = opts.id ?? idArg;
      if (!id) throw new Error('devices update: name the device (devices update ID, or --id ID)');
      const list = opts.intersection ?? opts.intersections;
      const next = updateDevice(loadRegistry(opts.devices), id, {
        ...(opts.role !== undefined ? { role: opts.role } : {}),
        ...(list !== undefined ? { intersections: intersectionsOf(list) } : {}),
      });
      saveRegistry(opts.devices, next);
      const d = next.devices.find((x) => x.id === id)!;
      const where = d.intersections === '*' ? '*' : d.intersections.join(',');
      console.log(`updated ${id} in ${opts.devices}: role ${d.role}, intersections ${where}`);
    });

  passwordOptions(
    cmd
      .command('rotate')
      .description("replace a device's password; prints a generated one once when none is given")
      .addOption(devicesOption())
      .requiredOption('--id <id>', 'the device whose password changes')
      .addOption(iterationsOption()),
  ).action((opts) => {
    const { password, generated } = passwordFrom(opts);
    const next = rotateDevice(loadRegistry(opts.devices), opts.id, password, {
      iterations: opts.iterations,
    });
    saveRegistry(opts.devices, next);
    console.log(`rotated ${opts.id} in ${opts.devices} (its old password no longer works)`);
    if (generated) printSecret(opts.id, password);
  });

  cmd
    .command('export')
    .description('write the same registry and ACL rules for an external broker')
    .addOption(devicesOption())
    .requiredOption(
      '--mosquitto <dir>',
      'write passwd, acl and mosquitto.conf (include it from your config; add your listeners) here',
    )
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .option(
      '--listener <[host:]port>',
      'declare a Mosquitto listener in mosquitto.conf with `use_username_as_clientid` (client id = device id); repeatable',
      (v: string, acc: MosquittoListener[]) => [...acc, parseListener(v)],
      [] as MosquittoListener[],
    )
    .option(
      '--persistence-dir <dir>',
      "Mosquitto's persistence_location (leave it out when your own mosquitto.conf sets one, as Debian's does)",
    )
    .option(
      '--allow-slow-hashes',
      `export hashes above ${MOSQUITTO_MAX_ITERATIONS} PBKDF2 iterations (each wrong password then stalls Mosquitto longer)`,
    )
    .option(
      '--owner <user>',
      'chown passwd and acl (still 0600) to the user Mosquitto runs as (Debian: mosquitto); needs root',
    )
    .action((opts) => {
      const reg = loadRegistry(opts.devices);
      // Mosquitto hashes every CONNECT on its only thread: a slow hash lets a flood of wrong
      // passwords (no credential needed) stall every delivery
      const slow = reg.devices.filter(
        (d) => (parseHash(d.hash)?.iterations ?? 0) > MOSQUITTO_MAX_ITERATIONS,
      );
      if (slow.length > 0 && !opts.allowSlowHashes) {
        throw new Error(
          `${slow.length} device(s) have hashes above ${MOSQUITTO_MAX_ITERATIONS} iterations (${slow
            .slice(0, 5)
            .map((d) => d.id)
            .join(
              ', ',
            )}${slow.length > 5 ? ', …' : ''}): on Mosquitto each wrong password would cost that on its only thread. ` +
            `Rotate them (devices rotate --id ID --iterations ${MOSQUITTO_MAX_ITERATIONS}) or pass --allow-slow-hashes; see docs/security.md`,
        );
      }
      const owner = opts.owner ? userIds(opts.owner) : undefined;
      let files: ReturnType<typeof exportMosquitto>;
      try {
        files = exportMosquitto(reg, opts.mosquitto, opts.root, {
          listeners: opts.listener,
          limits: opts.persistenceDir ? { persistenceDir: opts.persistenceDir } : {},
          ...(owner ? { owner } : {}),
        });
      } catch (e) {
        if ((e as { code?: string }).code !== 'EPERM') throw e;
        throw new Error(
          `--owner ${opts.owner}: not allowed to change the files' owner (run as root, or: sudo chown ${opts.owner}: ${opts.mosquitto}/passwd ${opts.mosquitto}/acl)`,
        );
      }
      if (!owner) {
        console.log(
          `note: passwd and acl are 0600, owned by you; Mosquitto started as root reads them as its own user: export with --owner mosquitto, or run: chown mosquitto: ${files.passwd} ${files.acl}`,
        );
      }
      if (opts.listener.length === 0) {
        console.log(
          'note: add `use_username_as_clientid true` after each listener of your Mosquitto config, or use --listener',
        );
      }
      console.log(`wrote ${files.passwd}\nwrote ${files.acl}\nwrote ${files.conf}`);
    });

  return cmd;
}
