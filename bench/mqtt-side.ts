/** A broker the bench's simulator speaks through, and the vendors' credentials on it. */
import type { Duplex } from 'node:stream';
import type { MqttClient } from 'mqtt';
import type { VendorCredential } from './vendor.ts';

export interface MqttSide {
  url: string;
  /** the broker runs in this thread: a new in-memory connection to it for the simulator */
  stream?: () => Duplex;
  username?: string;
  password?: string;
  /** clears each run's retained config and signal (optional on an external broker) */
  janitor: MqttClient | undefined;
  creds: Map<string, VendorCredential>;
}
