/**
 * A short-lived MQTT connection for a command that reads something and leaves (`plan`,
 * `measures` and `scenario from-store` reading retained configs): no reconnect, a refusal
 * named in the operator's words, the URL's credentials never printed.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { defaultClientId, describeRefusal, redactUrl } from './mqtt-options.ts';

export interface ConnectOnceOptions {
  username?: string;
  password?: string;
  clientId?: string;
  /** client id when neither clientId nor username is given */
  fallbackClientId: string;
  timeoutMs: number;
  /** what the connection is for, in the error: `cannot ${what} from URL: …` */
  what: string;
}

export async function connectOnce(url: string, o: ConnectOnceOptions): Promise<MqttClient> {
  const clientId = defaultClientId(o, o.fallbackClientId);
  return mqtt
    .connectAsync(url, {
      clientId,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: o.timeoutMs,
      ...(o.username ? { username: o.username, password: o.password } : {}),
    })
    .catch((e: Error) => {
      const refusal = describeRefusal(e, {
        clientId,
        ...(o.username ? { username: o.username } : {}),
      });
      throw new Error(`cannot ${o.what} from ${redactUrl(url)}: ${refusal?.message ?? e.message}`);
    });
}
