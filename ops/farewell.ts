/**
 * A service's last words on close (`{online:false}` on each intersection it served) are QoS 1:
 * mqtt.js holds such a publish until the broker acknowledges it, and a broker that goes away
 * at the same moment (a site shut down at once) never does. So the farewell gets a bounded
 * time, and the connection is then ended by force: SIGTERM always ends the process.
 */
import type { MqttClient } from 'mqtt';

/** How long the farewell may take before the connection is ended anyway. */
export const FAREWELL_MS = 2000;

/**
 * Waits for `publishes` (settled or not) at most `ms`, then ends `client`: cleanly when they
 * all settled in time and the clean end takes at most `ms` too, by force otherwise.
 * @example await farewell(client, served.map((i) => client.publishAsync(…)));
 */
export async function farewell(
  client: MqttClient,
  publishes: readonly Promise<unknown>[],
  ms = FAREWELL_MS,
): Promise<void> {
  const clean =
    (await within(Promise.allSettled(publishes), ms)) && (await within(client.endAsync(false), ms));
  if (!clean) await client.endAsync(true).catch(() => {});
}

/** Whether `p` settles within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return done;
}
