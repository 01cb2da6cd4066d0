/**
 * Test files that take longest (seconds, as measured in CI on two cores), longest first. The
 * sequencer starts them first: on a clean clone vitest has no durations and runs larger files
 * first, and the field-loop files are 4 lines long, so they started last and the suite waited
 * ~120 s on them alone at its end. tests/unit/long-files.test.ts checks each still exists.
 */
export const LONG_FILES: readonly string[] = [
  'tests/e2e/field-gateway-mosquitto.test.ts', // ~128 s, waits on real-time signals
  'tests/e2e/field-gateway-openphase.test.ts', // ~114 s
  'tests/e2e/field-dashboard-browser.test.ts', // ~60 s
  'tests/integration/bench-parallel.test.ts', // ~52 s
  'tests/e2e/engines-report-browser.test.ts', // ~47 s
  'tests/integration/collector-influx.test.ts', // ~44 s
  'tests/integration/cli-signals.test.ts', // ~41 s
  'tests/integration/bench-mqtt.test.ts', // ~37 s
  'tests/integration/bench.test.ts', // ~35 s
  'tests/integration/collector-durability.test.ts', // ~34 s
  'tests/integration/cli-secrets.test.ts', // ~32 s
  'tests/e2e/demo-overrides.test.ts', // ~32 s
];
