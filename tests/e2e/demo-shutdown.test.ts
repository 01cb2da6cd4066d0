/**
 * `openphase demo` as a process: its help names every option, Ctrl-C (SIGINT) or SIGTERM
 * leaves no process and no port behind, and a taken port is a one-line error.
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { alive, descendants, runCli, startDemo } from '../../rigs/demo-process.ts';
import { freePort } from '../../rigs/ports.ts';

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

describe('openphase demo', () => {
  it('--help explains every option', async () => {
    const { code, stdout } = await runCli(['demo', '--help']);
    expect(code).toBe(0);
    for (const option of [
      '--port',
      '--mqtt-port',
      '--host',
      '--scenario',
      '--algorithm',
      '--speed',
      '--seed',
      '--duration',
      '--insecure',
      '--data-dir',
      '--influx-url',
      '--influx-db',
      '--root',
    ]) {
      expect(stdout).toMatch(new RegExp(`^\\s+${option}\\b.*\\S.*$`, 'm'));
    }
    expect(stdout).toContain('INFLUX_URL');
    expect(stdout).toContain('max-pressure');
  });

  // SIGTERM is checked at the end of demo-influx.test.ts
  for (const signal of ['SIGINT'] as const) {
    it(`${signal} (Ctrl-C) closes everything: exit 0, no process and no port left`, async () => {
      const demo = await startDemo(['--speed', '5']);
      const pid = demo.child.pid!;
      const before = descendants(pid);
      const res = await fetch(new URL('/api/health', demo.url));
      expect(res.status).toBe(200);
      expect(await canListen(demo.port)).toBe(false);
      expect(await canListen(demo.mqttPort)).toBe(false);
      const code = await demo.stop(signal);
      expect(code, demo.stderr()).toBe(0);
      expect(alive(pid)).toBe(false);
      for (const p of before) expect(alive(p), `child process ${p}`).toBe(false);
      expect(await canListen(demo.port)).toBe(true);
      expect(await canListen(demo.mqttPort)).toBe(true);
      expect(demo.stderr()).not.toMatch(/Error|at .*\.ts:\d+/);
    });
  }

  it('a taken port is a one-line error, and nothing is left running', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    const mqttPort = await freePort();
    try {
      const { code, stdout, stderr } = await runCli([
        'demo',
        '--port',
        String(port),
        '--mqtt-port',
        String(mqttPort),
      ]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines.at(-1)).toBe(
        `openphase demo: dashboard port ${port} is already in use; choose another with --port`,
      );
      expect(stderr).not.toMatch(/^\s+at /m); // no stack trace
      expect(await canListen(mqttPort)).toBe(true); // the broker it had started is closed
    } finally {
      blocker.close();
    }
  });
});
