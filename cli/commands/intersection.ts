/**
 * `openphase intersection check FILE` and `openphase intersection publish FILE --mqtt …`:
 * the intersection description as an engineer makes it. `check` prints every problem with its
 * JSON Pointer in one run; `publish` checks first and publishes nothing unless all is valid.
 */
import { Command, Option } from 'commander';
import { checkConfigFile } from '../../field/config-file.ts';
import { publishConfigs } from '../../field/config-publisher.ts';
import { formatProblems } from '../../protocol/index.ts';
import { mqttPassword, passwordFileOption } from '../mqtt-secret.ts';

function check(file: string): ReturnType<typeof checkConfigFile> {
  const r = checkConfigFile(file);
  if (r.problems.length > 0) {
    console.error(`${file}: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`);
    console.error(formatProblems(r.problems));
    process.exitCode = 1;
  }
  return r;
}

export function command(): Command {
  const cmd = new Command('intersection').description(
    'check an intersection description (YAML or JSON) and publish it retained on {root}/v1/{id}/config',
  );
  cmd
    .command('check')
    .description('print every problem of FILE with its JSON Pointer; exit 1 when there is one')
    .argument('<file>', 'intersection config, YAML or JSON (one config or a list)')
    .option('--json', 'print the problems as JSON')
    .action((file: string, o: { json?: boolean }) => {
      const r = check(file);
      if (o.json)
        console.log(JSON.stringify({ ok: r.problems.length === 0, problems: r.problems }));
      else if (r.problems.length === 0)
        console.log(`${file}: valid (${r.configs.map((c) => c.id).join(', ')})`);
    });
  cmd
    .command('publish')
    .description(
      'check FILE, then publish each config retained (QoS 1); nothing is published when any is invalid',
    )
    .argument('<file>', 'intersection config, YAML or JSON (one config or a list)')
    .addOption(
      new Option('--mqtt <url>', 'broker URL')
        .env('OPENPHASE_MQTT_URL')
        .default('mqtt://127.0.0.1:1883'),
    )
    .addOption(
      new Option(
        '--username <name>',
        'a device with the signal role for these intersections, or admin',
      ).env('OPENPHASE_MQTT_USERNAME'),
    )
    .addOption(passwordFileOption())
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .addHelpText(
      'after',
      '\nThe password comes from --password-file or $OPENPHASE_MQTT_PASSWORD, never the command line.',
    )
    .action(async (file: string, o) => {
      const r = check(file);
      if (r.problems.length > 0) {
        console.error('nothing published');
        return;
      }
      const password = mqttPassword(o.passwordFile);
      const results = await publishConfigs(r.configs, {
        mqttUrl: o.mqtt,
        root: o.root,
        ...(o.username ? { username: o.username } : {}),
        ...(password !== undefined ? { password } : {}),
      });
      for (const x of results)
        console.log(
          JSON.stringify({ intersection: x.id, published: x.published, previous: x.previous }),
        );
    });
  return cmd;
}
