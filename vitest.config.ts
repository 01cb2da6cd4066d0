import { defineConfig } from 'vitest/config';

// Integration tests start real servers (InfluxDB, Mosquitto, aedes, Chromium) on free ports;
// forks keep each test file in its own process so a crash or a leaked handle stays contained.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'examples/**/*.test.ts'],
    // builds dist/ (esbuild, ~2 s) when a source is newer: some tests run the compiled command
    globalSetup: ['tests/setup/build.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
