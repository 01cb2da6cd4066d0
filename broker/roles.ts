/**
 * THE role table: the one place that says which device may publish or read which topic.
 * The embedded broker's ACL (acl.ts), the Mosquitto export (mosquitto-export.ts) and the table
 * in docs/security.md are all derived from it; tests/contracts/acl.contract.ts checks both
 * brokers against it.
 */

export const ROLES = ['sensor', 'signal', 'controller', 'collector', 'observer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Where a rule's topic lives:
 * - `intersection`: under `{root}/v1/{intersection}/`, for each intersection the device acts for
 *   (`*` → the `+` wildcard);
 * - `root`: under `{root}/`, whatever the device's intersections;
 * - `any`: the topic as written (admin only).
 * `{self}` in a topic is the device's own id.
 */
export type Scope = 'intersection' | 'root' | 'any';

export interface Rule {
  scope: Scope;
  topic: string;
}

export interface RoleRules {
  /** One line for `devices --help` and the docs. */
  summary: string;
  publish: readonly Rule[];
  /** What the device may receive; a subscription is granted if it can match any of these. */
  read: readonly Rule[];
}

const at = (topic: string): Rule => ({ scope: 'intersection', topic });
const OWN_STATUS = at('status/{self}');

export const ROLE_TABLE: Readonly<Record<Role, RoleRules>> = {
  sensor: {
    summary: 'a detector: publishes its own counts and status, reads nothing',
    publish: [at('counts/{self}'), OWN_STATUS],
    read: [],
  },
  signal: {
    summary:
      'a signal controller cabinet or gateway: publishes config, signal state and status; reads decisions and its config',
    publish: [at('config'), at('signal'), OWN_STATUS],
    // config: the field gateway takes its intersections from the retained description
    read: [at('decision'), at('config')],
  },
  controller: {
    summary: 'a control algorithm: reads config, counts, signal, status; publishes decisions',
    publish: [at('decision'), OWN_STATUS],
    read: [at('config'), at('counts/+'), at('signal'), at('status/+')],
  },
  collector: {
    summary: 'stores data: reads everything under the root, publishes only its own status',
    publish: [OWN_STATUS],
    read: [{ scope: 'root', topic: '#' }],
  },
  observer: {
    summary: 'dashboards, monitoring: reads everything under the root, publishes its own status',
    publish: [OWN_STATUS],
    read: [{ scope: 'root', topic: '#' }],
  },
  admin: {
    summary: 'operators and the demo: everything',
    publish: [{ scope: 'any', topic: '#' }],
    read: [{ scope: 'any', topic: '#' }],
  },
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The subject of ACL decisions: a registry entry without its hash. */
export interface DeviceIdentity {
  id: string;
  role: Role;
  intersections: readonly string[] | '*';
}

/**
 * Expands the role table for one device into concrete MQTT topic patterns (with `+`/`#`).
 * These exact strings go into Mosquitto's ACL file and drive the embedded broker's checks.
 * @example devicePatterns({ id: 's1', role: 'sensor', intersections: ['a'] }, 'traffic')
 *   // { publish: ['traffic/v1/a/counts/s1', 'traffic/v1/a/status/s1'], read: [] }
 */
export function devicePatterns(
  device: DeviceIdentity,
  root: string,
): { publish: string[]; read: string[] } {
  const rules = ROLE_TABLE[device.role];
  const scopes = device.intersections === '*' ? ['+'] : [...device.intersections];
  const expand = (rule: Rule): string[] => {
    const topic = rule.topic.replaceAll('{self}', device.id);
    if (rule.scope === 'any') return [topic];
    if (rule.scope === 'root') return [`${root}/${topic}`];
    return scopes.map((i) => `${root}/v1/${i}/${topic}`);
  };
  const unique = (rs: readonly Rule[]) => [...new Set(rs.flatMap(expand))];
  return { publish: unique(rules.publish), read: unique(rules.read) };
}

/** The role table as Markdown (docs/security.md embeds it; a test fails if they drift). */
export function renderRoleTable(): string {
  const show = (rs: readonly Rule[]) =>
    rs.length === 0
      ? '—'
      : rs
          .map((r) =>
            r.scope === 'intersection'
              ? `\`{i}/${r.topic}\``
              : r.scope === 'root'
                ? `\`{root}/${r.topic}\``
                : `\`${r.topic}\``,
          )
          .join(', ');
  return [
    '| role | may publish | may read (subscribe) | summary |',
    '| --- | --- | --- | --- |',
    ...ROLES.map(
      (role) =>
        `| \`${role}\` | ${show(ROLE_TABLE[role].publish)} | ${show(ROLE_TABLE[role].read)} | ${ROLE_TABLE[role].summary} |`,
    ),
  ].join('\n');
}
