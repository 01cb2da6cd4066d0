import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addDevice,
  createRegistry,
  exportMosquitto,
  findDevice,
  generateSecret,
  hashPassword,
  loadRegistry,
  mosquittoAcl,
  mosquittoConf,
  mosquittoPasswd,
  parseHash,
  parseRegistry,
  type RegistryError,
  removeDevice,
  renderRoleTable,
  rotateDevice,
  saveRegistry,
  verifyPassword,
  verifyPasswordAsync,
} from '../../broker/index.ts';

const fast = { iterations: 100 };
const dir = mkdtempSync(join(tmpdir(), 'op-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('password hashes ($7$, Mosquitto format)', () => {
  it('matches a known PBKDF2-SHA512 vector in Mosquitto layout', () => {
    // written by `mosquitto_passwd -b file alice secret1` (Mosquitto 2.0.11)
    const fromMosquitto =
      '$7$101$o75BcfCIMq8x0pht$SsWLvxHYa2MTmkwPD6ykoGnzwGFuaL8rTTpejXQfBap5im2VxC+kgOKsXz9G2cEsIAJoZKONwgCLvqiX1hox0A==';
    expect(verifyPassword('secret1', fromMosquitto)).toBe(true);
    expect(verifyPassword('secret2', fromMosquitto)).toBe(false);
    const salt = parseHash(fromMosquitto)!.salt;
    expect(hashPassword('secret1', { iterations: 101, salt })).toBe(fromMosquitto);
  });

  it('salts every hash and defaults to a slow iteration count', () => {
    const a = hashPassword('pw', fast);
    expect(a).not.toBe(hashPassword('pw', fast));
    expect(a).toMatch(/^\$7\$100\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(parseHash(hashPassword('pw', { iterations: 100_000 }))!.iterations).toBe(100_000);
  });

  it('verifies asynchronously too, and refuses malformed hashes instead of throwing', async () => {
    const h = hashPassword('pw', fast);
    expect(await verifyPasswordAsync('pw', h)).toBe(true);
    expect(await verifyPasswordAsync('nope', h)).toBe(false);
    for (const bad of ['', 'plain', '$6$x$y', '$7$0$AAAA$BBBB', '$7$99999999999$AA$BB']) {
      expect(verifyPassword('pw', bad)).toBe(false);
      expect(await verifyPasswordAsync('pw', bad)).toBe(false);
    }
    expect(() => hashPassword('pw', { iterations: 0 })).toThrow(/iterations/);
  });

  it('generates distinct URL-safe secrets', () => {
    const s = generateSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(s).not.toBe(generateSecret());
  });
});

describe('registry (pure)', () => {
  const reg = addDevice(
    createRegistry(),
    { id: 's1', role: 'sensor', intersections: ['a', 'b'], password: 'pw1' },
    fast,
  );

  it('adds, finds, rotates and removes, returning new values', () => {
    expect(findDevice(reg, 's1')).toMatchObject({ role: 'sensor', intersections: ['a', 'b'] });
    const rotated = rotateDevice(reg, 's1', 'pw2', fast);
    expect(verifyPassword('pw2', findDevice(rotated, 's1')!.hash)).toBe(true);
    expect(verifyPassword('pw1', findDevice(rotated, 's1')!.hash)).toBe(false);
    expect(verifyPassword('pw1', findDevice(reg, 's1')!.hash)).toBe(true); // untouched
    expect(removeDevice(rotated, 's1').devices).toHaveLength(0);
  });

  it('refuses duplicates, unknown ids, bad roles, bad ids and empty passwords with codes', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as RegistryError).code;
      }
      return 'no error';
    };
    expect(
      code(() => addDevice(reg, { id: 's1', role: 'sensor', intersections: ['a'], password: 'x' })),
    ).toBe('OP_DEVICE_EXISTS');
    expect(code(() => removeDevice(reg, 'ghost'))).toBe('OP_DEVICE_UNKNOWN');
    expect(code(() => rotateDevice(reg, 'ghost', 'x'))).toBe('OP_DEVICE_UNKNOWN');
    expect(
      code(() => addDevice(reg, { id: 'x', role: 'king', intersections: ['a'], password: 'x' })),
    ).toBe('OP_REGISTRY_INVALID');
    expect(
      code(() =>
        addDevice(reg, { id: 'a/b', role: 'sensor', intersections: ['a'], password: 'x' }),
      ),
    ).toBe('OP_REGISTRY_INVALID');
    expect(
      code(() => addDevice(reg, { id: 'x', role: 'sensor', intersections: ['#'], password: 'x' })),
    ).toBe('OP_REGISTRY_INVALID');
    expect(
      code(() => addDevice(reg, { id: 'x', role: 'sensor', intersections: [], password: 'x' })),
    ).toBe('OP_REGISTRY_INVALID');
    expect(
      code(() => addDevice(reg, { id: 'x', role: 'sensor', intersections: ['a'], password: '' })),
    ).toBe('OP_REGISTRY_INVALID');
  });

  it('names the path of an invalid entry', () => {
    expect(() =>
      parseRegistry('devices:\n  - { id: s1, role: sensor, intersections: [a], hash: nope }\n'),
    ).toThrow(/devices\[0\]: hash/);
    expect(() => parseRegistry('devices: 3')).toThrow(/devices: must be a list/);
    expect(() => parseRegistry('{ not yaml')).toThrow(/not YAML/);
  });
});

describe('registry files', () => {
  it('round-trips YAML and JSON, owner-readable only', () => {
    const reg = addDevice(
      createRegistry(),
      { id: 'c1', role: 'controller', intersections: '*', password: 'p' },
      fast,
    );
    for (const name of ['devices.yaml', 'devices.json']) {
      const file = join(dir, name);
      saveRegistry(file, reg);
      expect(loadRegistry(file)).toEqual(reg);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(JSON.parse(readFileSync(join(dir, 'devices.json'), 'utf8')).devices[0].id).toBe('c1');
    expect(readFileSync(join(dir, 'devices.yaml'), 'utf8')).toContain('role: controller');
  });

  it('creates an empty registry only when asked', () => {
    expect(() => loadRegistry(join(dir, 'missing.yaml'))).toThrow(/no device registry/);
    expect(loadRegistry(join(dir, 'missing.yaml'), { create: true }).devices).toEqual([]);
    writeFileSync(join(dir, 'bad.yaml'), 'devices:\n  - id: x\n');
    expect(() => loadRegistry(join(dir, 'bad.yaml'))).toThrow(/bad\.yaml: devices\[0\]: role/);
  });
});

describe('Mosquitto export', () => {
  let reg = createRegistry();
  reg = addDevice(reg, { id: 's1', role: 'sensor', intersections: ['a'], password: 'p' }, fast);
  reg = addDevice(reg, { id: 'adm', role: 'admin', intersections: '*', password: 'p' }, fast);
  reg = addDevice(reg, { id: 'col', role: 'collector', intersections: '*', password: 'p' }, fast);

  it('writes the hashes as they are', () => {
    expect(mosquittoPasswd(reg)).toBe(reg.devices.map((d) => `${d.id}:${d.hash}\n`).join(''));
  });

  it('writes one user block per device from the role table', () => {
    const acl = mosquittoAcl(reg, 'traffic');
    expect(acl).toContain(
      'user s1\ntopic write traffic/v1/a/counts/s1\ntopic write traffic/v1/a/status/s1\n',
    );
    expect(acl).toContain('user adm\ntopic readwrite #\n');
    expect(acl).toContain('user col\ntopic write traffic/v1/+/status/col\ntopic read traffic/#\n');
    // nothing for anonymous clients: no topic line before the first `user`
    const first = acl.split('\n').findIndex((l) => l.startsWith('user '));
    expect(
      acl
        .split('\n')
        .slice(0, first)
        .some((l) => l.startsWith('topic')),
    ).toBe(false);
  });

  it('wires files, refuses anonymous and ties client id to username per listener', () => {
    const conf = mosquittoConf('/etc/op', [{ port: 8883, host: '0.0.0.0' }]);
    expect(conf).toContain(
      'allow_anonymous false\npassword_file /etc/op/passwd\nacl_file /etc/op/acl',
    );
    expect(conf).toContain('listener 8883 0.0.0.0\nuse_username_as_clientid true');
    expect(mosquittoConf('/etc/op')).toContain('IMPORTANT: put `use_username_as_clientid true`');
    const files = exportMosquitto(reg, join(dir, 'mosq'), 'traffic');
    expect(statSync(files.passwd).mode & 0o777).toBe(0o600);
    expect(readFileSync(files.acl, 'utf8')).toBe(mosquittoAcl(reg, 'traffic'));
  });
});

describe('docs/security.md', () => {
  it('carries the role table exactly as broker/roles.ts renders it', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    expect(doc).toContain(renderRoleTable());
  });
});
