/**
 * The ACL contract against a real Mosquitto 2 configured ONLY from `devices export`: its
 * passwd, acl and mosquitto.conf are included as written (proving the `$7$` hashes our code
 * writes are accepted by Mosquitto, and that the exported ACL enforces the same table).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportMosquitto } from '../../broker/index.ts';
import { startMosquitto } from '../../rigs/mosquitto.ts';
import { freePort, waitForPort } from '../../rigs/ports.ts';
import { runAclContract } from '../contracts/acl.contract.ts';

runAclContract({
  name: 'Mosquitto from `devices export`',
  async create(registry, root) {
    const dir = mkdtempSync(join(tmpdir(), 'op-export-'));
    // the exported conf declares the listener we test (with use_username_as_clientid); the
    // helper's own listener only serves as its readiness probe
    const port = await freePort();
    exportMosquitto(registry, dir, root, { listeners: [{ port, host: '127.0.0.1' }] });
    const mosquitto = await startMosquitto({ extraConfig: [`include_dir ${dir}`] });
    await waitForPort(port, 5000);
    return {
      url: `mqtt://127.0.0.1:${port}`,
      async close() {
        await mosquitto.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
