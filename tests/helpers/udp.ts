/** Free UDP ports on 127.0.0.1 for SNMP test agents (never the standard 161). */
import { createSocket } from 'node:dgram';

export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
