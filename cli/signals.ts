/**
 * Waiting for the stop signal of a long-running command. SIGINT and SIGTERM both stop it
 * gracefully. The handlers stay installed after the first signal: a terminal's Ctrl-C reaches
 * both `npm start` and this process, and npm forwards it once more, so a second signal during
 * shutdown is normal and must not kill the process half-way (each command bounds its close).
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      resolve(signal);
    };
    for (const s of STOP_SIGNALS) process.on(s, onSignal);
  });
}
