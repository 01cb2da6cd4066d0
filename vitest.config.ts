import { defineConfig } from 'vitest/config';
import { LongFirstSequencer } from './tests/setup/sequencer.ts';

// Integration tests start real servers (InfluxDB, Mosquitto, aedes, Chromium) on free ports;
// forks keep each test file in its own process so a crash or a leaked handle stays contained.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'examples/**/*.test.ts'],
    // builds dist/ (esbuild, ~2 s) when a source is newer: some tests run the compiled command
    globalSetup: ['tests/setup/build.ts'],
    pool: 'forks',
    // three files at once on two cores: most integration and e2e files wait on services,
    // watchdogs and real-time signals (the field-loop files: ~113 s each, a few s of CPU)
    maxWorkers: 3,
    // the longest files first, so the suite does not end waiting on one of them
    sequence: { sequencer: LongFirstSequencer },
    // messages in English whatever the developer's locale (LANG=fr_FR gives French otherwise);
    // a test of the French output passes --lang fr, which beats the environment
    env: { OPENPHASE_LANG: 'en' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
