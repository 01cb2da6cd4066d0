/**
 * The vendor program's process (bench/vendor.ts), as the bench and the conformance check
 * start it: close() waits for the whole process group — not only the `sh -c` wrapper, which
 * dies at once on SIGTERM — so a program saying goodbye on the broker is not cut off; one that
 * ignores SIGTERM is killed after the grace time; the caller's own MQTT credential is never
 * handed down; and a program that ends by itself says how.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createVendorProcess } from '../../bench/vendor.ts';

const dir = mkdtempSync(join(tmpdir(), 'op-vendor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shell command running `script` under node, with `; true` so the shell stays in between. */
const nodeScript = (script: string) => `"${process.execPath}" -e '${script}'; true`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function started(file: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(25);
}

it('close() waits for the program behind the shell to finish its goodbye', async () => {
  const ready = join(dir, 'ready-1');
  const bye = join(dir, 'bye');
  const p = createVendorProcess(
    nodeScript(
      `const fs = require("fs"); fs.writeFileSync("${ready}", ""); setInterval(() => {}, 1000); process.on("SIGTERM", () => setTimeout(() => { fs.writeFileSync("${bye}", "done"); process.exit(0); }, 400));`,
    ),
    {},
    join(dir, 'one.log'),
  );
  p.start();
  await started(ready);
  await p.close();
  expect(readFileSync(bye, 'utf8')).toBe('done');
  await p.close(); // safe twice
});

it('a program that ignores SIGTERM is killed after the grace time', async () => {
  const ready = join(dir, 'ready-2');
  const p = createVendorProcess(
    nodeScript(
      `require("fs").writeFileSync("${ready}", String(process.pid)); process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);`,
    ),
    {},
  );
  p.start();
  await started(ready);
  await sleep(100);
  const pid = Number(readFileSync(ready, 'utf8'));
  expect(running(pid)).toBe(true);
  await p.close(300);
  expect(running(pid)).toBe(false);
});

/** Alive and not a zombie waiting to be reaped (Linux /proc). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

it('hands down only the credential meant for the program, and says how it ended', async () => {
  const seen = join(dir, 'env.txt');
  const saved = { ...process.env };
  process.env.OPENPHASE_MQTT_USERNAME = 'city-admin';
  process.env.OPENPHASE_MQTT_PASSWORD = 'admin-secret';
  try {
    const p = createVendorProcess(`env | grep ^OPENPHASE_ > "${seen}"; exit 3`, {
      OPENPHASE_MQTT_URL: 'mqtt://127.0.0.1:1',
    });
    p.start();
    for (let i = 0; i < 200 && p.exited() === undefined; i++) await sleep(25);
    expect(p.exited()).toBe('code 3');
    await p.close();
    const env = readFileSync(seen, 'utf8');
    expect(env).toContain('OPENPHASE_MQTT_URL=mqtt://127.0.0.1:1');
    expect(env).not.toMatch(/city-admin|admin-secret/);
  } finally {
    process.env.OPENPHASE_MQTT_USERNAME = saved.OPENPHASE_MQTT_USERNAME;
    process.env.OPENPHASE_MQTT_PASSWORD = saved.OPENPHASE_MQTT_PASSWORD;
    if (saved.OPENPHASE_MQTT_USERNAME === undefined) delete process.env.OPENPHASE_MQTT_USERNAME;
    if (saved.OPENPHASE_MQTT_PASSWORD === undefined) delete process.env.OPENPHASE_MQTT_PASSWORD;
  }
});
