/**
 * The controller service as a child process of the controller benchmark (benchmarks/controller.ts), so its CPU
 * is measured apart from the broker and the load. Parent → child: nothing but `stats` requests
 * over IPC; child → parent: `{ ready }`, then `{ stats, cpu }` answers.
 */
import { createControllerService } from '../controller/service.ts';

const svc = createControllerService({
  mqttUrl: process.env.BENCH_MQTT_URL!,
  username: process.env.BENCH_USERNAME!,
  password: process.env.BENCH_PASSWORD!,
  algorithm: process.env.BENCH_ALGORITHM ?? 'actuated',
  intersections: 'all',
  log: () => {},
});

await svc.start();
process.send?.({ ready: true });
process.on('message', async (m: { cmd?: string }) => {
  if (m.cmd === 'stats') process.send?.({ stats: svc.stats(), cpu: process.cpuUsage() });
  if (m.cmd === 'close') {
    await svc.close();
    process.exit(0);
  }
});
