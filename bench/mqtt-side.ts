/** A broker the bench's simulator speaks through, and the vendors' credentials on it. */
import type { MqttClient } from 'mqtt';
import type { MqttSimulationOptions } from '../loop/mqtt-simulation.ts';
import type { VendorCredential } from './vendor.ts';

export interface MqttSide {
  url: string;
  /** the broker runs in this thread: the simulator opens sessions of it instead of connections */
  openSession?: MqttSimulationOptions['openSession'];
  username?: string;
  password?: string;
  /** clears each run's retained config and signal (optional on an external broker) */
  janitor: MqttClient | undefined;
  creds: Map<string, VendorCredential>;
}
