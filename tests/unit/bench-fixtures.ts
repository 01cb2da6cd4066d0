/** Synthetic bench runs for the scorecard and report tests (no simulation: exact numbers). */
import type { BenchRunMetrics } from '../../bench/metrics.ts';
import type { RunRecord } from '../../bench/scorecard.ts';
import type { Manifest } from '../../bench/scorecard-schema.ts';

export function metrics(delay: number, extra: Partial<BenchRunMetrics> = {}): BenchRunMetrics {
  return {
    arrived: 100,
    served: 95,
    queuedAtEnd: 5,
    meanDelayS: delay,
    p95DelayS: delay * 3,
    maxWaitS: delay * 5,
    meanQueueVeh: delay / 10,
    maxQueueVeh: 7,
    stopsPerVehicle: 0.5,
    throughputVph: 950,
    phaseChangesPerHour: 60,
    overrides: { minGreen: 0, maxGreen: 0, unknownPhase: 0, conflict: 0, watchdog: 0 },
    missedDeadlines: 0,
    decisionLatencyMs: { p50: 0.1 * delay, p99: 0.3 * delay },
    conflictingGreens: 0,
    ...extra,
  };
}

export function manifest(over: Partial<Manifest> = {}): Manifest {
  return {
    tool: 'openphase',
    version: '0.1.0',
    protocol: 'v1',
    command: ['bench'],
    controllers: ['builtin:actuated', 'builtin:fixed-time', 'mqtt:acme'],
    engines: ['openphase'],
    baseline: 'builtin:actuated',
    seeds: [1, 2, 3],
    lockstep: true,
    deadlineMs: 1000,
    durationS: null,
    broker: 'embedded',
    scenarios: [
      {
        name: 'steady',
        sha256: 'a'.repeat(64),
        source: 'bundled',
        durationS: 600,
        intersections: 1,
      },
      { name: 'faulty', sha256: 'b'.repeat(64), source: 'private', clean: 'faults-removed' },
    ],
    environment: { node: 'v20', platform: 'linux-x64' },
    startedAt: '2026-01-01T00:00:00.000Z',
    wallS: 12.5,
    ...over,
  };
}

/** actuated 20 ± seed, fixed-time 30 ± seed, acme 15 ± seed with overrides and misses. */
export function runs(): RunRecord[] {
  const out: RunRecord[] = [];
  const base: Record<string, number> = {
    'builtin:actuated': 20,
    'builtin:fixed-time': 30,
    'mqtt:acme': 15,
  };
  for (const [controller, d] of Object.entries(base))
    for (const scenario of ['steady', 'faulty'])
      for (const variant of scenario === 'faulty'
        ? (['main', 'clean'] as const)
        : (['main'] as const))
        for (const seed of [1, 2, 3]) {
          const delay = d + seed + (variant === 'main' && scenario === 'faulty' ? 4 : 0);
          const bad = controller === 'mqtt:acme';
          out.push({
            controller,
            scenario,
            variant,
            seed,
            wallS: 0.5,
            metrics: metrics(delay, {
              ...(bad
                ? {
                    overrides: {
                      minGreen: 3,
                      maxGreen: 0,
                      unknownPhase: seed,
                      conflict: 0,
                      watchdog: 1,
                    },
                    missedDeadlines: 10 * seed,
                  }
                : {}),
            }),
          });
        }
  return out;
}
