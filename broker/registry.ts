/**
 * The device registry: who may connect, in which role, for which intersections, with which
 * password hash. Pure functions over a plain value (no I/O here except load/save at the end),
 * so the demo and tests build one in memory: `addDevice(createRegistry(), { … })`.
 *
 * File format (YAML or JSON, chosen by extension; `.json` → JSON):
 * ```yaml
 * version: 1
 * devices:
 *   - { id: s1, role: sensor, intersections: [a], hash: "$7$100000$…$…" }
 * ```
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isValidId } from '../protocol/index.ts';
import { type HashOptions, hashPassword, isHash } from './passwords.ts';
import { type DeviceIdentity, isRole, ROLES, type Role } from './roles.ts';

export interface DeviceEntry extends DeviceIdentity {
  /** `$7$` PBKDF2-SHA512 hash (Mosquitto format); never the password. */
  hash: string;
}

export interface Registry {
  version: 1;
  devices: readonly DeviceEntry[];
}

export interface NewDevice {
  id: string;
  role: Role | string;
  intersections: readonly string[] | '*';
  /** Plain password, hashed here; or give `hash` (already `$7$`). */
  password?: string;
  hash?: string;
}

/** Error with a stable code, for the CLI and docs/security.md. */
export class RegistryError extends Error {
  constructor(
    readonly code:
      | 'OP_REGISTRY_INVALID'
      | 'OP_DEVICE_EXISTS'
      | 'OP_DEVICE_UNKNOWN'
      | 'OP_REGISTRY_MISSING',
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** An empty registry, or one holding `devices` (validated). */
export function createRegistry(devices: readonly DeviceEntry[] = []): Registry {
  return validateRegistry({ version: 1, devices });
}

export function findDevice(reg: Registry, id: string): DeviceEntry | undefined {
  return reg.devices.find((d) => d.id === id);
}

function checkDevice(d: unknown, where: string): DeviceEntry {
  const bad = (msg: string) => new RegistryError('OP_REGISTRY_INVALID', `${where}: ${msg}`);
  if (typeof d !== 'object' || d === null) throw bad('must be an object');
  const o = d as Record<string, unknown>;
  if (!isValidId(o.id)) throw bad(`id ${JSON.stringify(o.id)} must match ^[A-Za-z0-9_-]{1,64}$`);
  if (!isRole(o.role)) {
    throw bad(`role ${JSON.stringify(o.role)} must be one of ${ROLES.join(', ')}`);
  }
  const ints = o.intersections;
  if (ints !== '*') {
    if (!Array.isArray(ints) || ints.length === 0) {
      throw bad(`intersections must be '*' or a non-empty list of intersection ids`);
    }
    const wrong = ints.find((i) => !isValidId(i));
    if (wrong !== undefined) throw bad(`intersection id ${JSON.stringify(wrong)} is invalid`);
  }
  if (!isHash(o.hash)) throw bad(`hash must be a Mosquitto "$7$iterations$salt$hash" string`);
  return {
    id: o.id,
    role: o.role,
    intersections: ints === '*' ? '*' : [...new Set(ints as string[])],
    hash: o.hash,
  };
}

/** Validates a parsed registry; errors name the path (`devices[2].role: …`). */
export function validateRegistry(value: unknown): Registry {
  if (typeof value !== 'object' || value === null) {
    throw new RegistryError('OP_REGISTRY_INVALID', 'registry must be an object with `devices`');
  }
  const o = value as { version?: unknown; devices?: unknown };
  if (o.version !== undefined && o.version !== 1) {
    throw new RegistryError('OP_REGISTRY_INVALID', `version: unsupported ${String(o.version)}`);
  }
  if (!Array.isArray(o.devices)) {
    throw new RegistryError('OP_REGISTRY_INVALID', 'devices: must be a list');
  }
  const devices = o.devices.map((d, i) => checkDevice(d, `devices[${i}]`));
  const seen = new Set<string>();
  for (const d of devices) {
    if (seen.has(d.id)) throw new RegistryError('OP_DEVICE_EXISTS', `duplicate device id ${d.id}`);
    seen.add(d.id);
  }
  return { version: 1, devices };
}

/** Parses registry text (YAML is a superset of JSON, so one parser reads both). */
export function parseRegistry(text: string): Registry {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new RegistryError('OP_REGISTRY_INVALID', `not YAML/JSON: ${(e as Error).message}`);
  }
  return validateRegistry(value ?? { devices: [] });
}

/** Serialises for a file; JSON when `format` is 'json', else YAML. */
export function formatRegistry(reg: Registry, format: 'yaml' | 'json'): string {
  const plain = {
    version: 1,
    devices: reg.devices.map((d) => ({
      id: d.id,
      role: d.role,
      intersections: d.intersections === '*' ? '*' : [...d.intersections],
      hash: d.hash,
    })),
  };
  return format === 'json' ? `${JSON.stringify(plain, null, 2)}\n` : stringifyYaml(plain);
}

/** Reads a registry file. With `{ create: true }` a missing file is an empty registry. */
export function loadRegistry(file: string, options: { create?: boolean } = {}): Registry {
  if (!existsSync(file)) {
    if (options.create) return createRegistry();
    throw new RegistryError('OP_REGISTRY_MISSING', `no device registry at ${file}`);
  }
  try {
    return parseRegistry(readFileSync(file, 'utf8'));
  } catch (e) {
    if (e instanceof RegistryError) {
      throw new RegistryError(e.code, `${file}: ${e.message}`);
    }
    throw e;
  }
}

/** Writes atomically (temp file + rename), readable by the owner only: it holds hashes. */
export function saveRegistry(file: string, reg: Registry): void {
  const format = extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, formatRegistry(reg, format), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * Adds a device; throws if the id exists. Returns a new registry.
 * @example addDevice(createRegistry(), { id: 's1', role: 'sensor', intersections: ['a'], password: 'pw' }, { iterations: 1000 })
 */
export function addDevice(reg: Registry, input: NewDevice, options: HashOptions = {}): Registry {
  if (findDevice(reg, input.id)) {
    throw new RegistryError('OP_DEVICE_EXISTS', `device ${input.id} already exists`);
  }
  const hash = input.hash ?? passwordHash(input, options);
  const entry = checkDevice({ ...input, hash }, `device ${input.id}`);
  return { version: 1, devices: [...reg.devices, entry] };
}

function passwordHash(input: NewDevice, options: HashOptions): string {
  if (input.password === undefined || input.password.length === 0) {
    throw new RegistryError('OP_REGISTRY_INVALID', `device ${input.id}: a password is required`);
  }
  return hashPassword(input.password, options);
}

/** Removes a device; throws if unknown. */
export function removeDevice(reg: Registry, id: string): Registry {
  if (!findDevice(reg, id)) throw new RegistryError('OP_DEVICE_UNKNOWN', `no device ${id}`);
  return { version: 1, devices: reg.devices.filter((d) => d.id !== id) };
}

/** Replaces a device's password (its sessions are cut when the broker reloads the registry). */
export function rotateDevice(
  reg: Registry,
  id: string,
  password: string,
  options: HashOptions = {},
): Registry {
  const current = findDevice(reg, id);
  if (!current) throw new RegistryError('OP_DEVICE_UNKNOWN', `no device ${id}`);
  const hash = passwordHash({ ...current, password }, options);
  return { version: 1, devices: reg.devices.map((d) => (d.id === id ? { ...d, hash } : d)) };
}

/** What `updateDevice` may change: the role, the intersections, or both. */
export interface DeviceChange {
  role?: Role | string;
  intersections?: readonly string[] | '*';
}

/**
 * Changes a device's role or intersections, keeping its password: a running broker applies
 * the change to the live session (no disconnect). Throws if unknown or if nothing is given.
 * @example updateDevice(reg, 'ctl-1', { intersections: ['a', 'b'] })
 */
export function updateDevice(reg: Registry, id: string, change: DeviceChange): Registry {
  const current = findDevice(reg, id);
  if (!current) throw new RegistryError('OP_DEVICE_UNKNOWN', `no device ${id}`);
  if (change.role === undefined && change.intersections === undefined) {
    throw new RegistryError('OP_REGISTRY_INVALID', `device ${id}: give a role or intersections`);
  }
  const entry = checkDevice(
    {
      ...current,
      ...(change.role !== undefined ? { role: change.role } : {}),
      ...(change.intersections !== undefined ? { intersections: change.intersections } : {}),
    },
    `device ${id}`,
  );
  return { version: 1, devices: reg.devices.map((d) => (d.id === id ? entry : d)) };
}
