/**
 * The full end-of-stream scenario of issue 18.4, repeated under CPU load:
 * 50 sensors × 200 rounds (10,000 counts, QoS 1, one malformed message in 20) through the
 * embedded broker into a real InfluxDB 1.x, influxd killed at a third of the stream and
 * started 40 rounds later. Exits non-zero at the first run that loses a message.
 *
 *   npx tsx tests/soak/tail-loss.ts [runs=20] [loadProcesses=2]
 */
import { startInfluxDB } from '../../rigs/influxdb.ts';
import { cpuLoad, runTailScenario } from '../integration/tail-scenario.ts';

const runs = Number(process.argv[2] ?? 20);
const load = cpuLoad(Number(process.argv[3] ?? 2));
const influx = await startInfluxDB();
let failed = 0;
try {
  for (let run = 1; run <= runs; run++) {
    const t0 = Date.now();
    const r = await runTailScenario(influx, `tail${run}`, {
      sensors: 50,
      rounds: 200,
      outageRounds: 40,
      ratePerS: Number(process.env.RATE ?? 500),
      log: process.env.VERBOSE ? (l) => console.log(`  ${l}`) : undefined,
    });
    let missing = 0;
    for (const [sensor, e] of r.expected) missing += e.points - (r.stored.get(sensor)?.points ?? 0);
    const same = JSON.stringify([...r.expected].sort()) === JSON.stringify([...r.stored].sort());
    console.log(
      JSON.stringify({
        run,
        ok: same,
        missing,
        acknowledged: r.acknowledged,
        received: r.received,
        gapRecords: r.gapRecords,
        tailGaps: r.tailGaps,
        seconds: (Date.now() - t0) / 1000,
      }),
    );
    if (!same) {
      failed++;
      break;
    }
  }
} finally {
  load.stop();
  await influx.stop();
}
process.exit(failed > 0 ? 1 : 0);
