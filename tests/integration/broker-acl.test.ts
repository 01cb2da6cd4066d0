/** The ACL contract against the embedded broker (aedes). */
import { createBroker } from '../../broker/index.ts';
import { runAclContract } from '../contracts/acl.contract.ts';

runAclContract({
  name: 'embedded aedes broker',
  async create(devices, root) {
    const broker = createBroker({ port: 0, devices, root, log: () => {} });
    const { url } = await broker.start();
    return { url, close: () => broker.close() };
  },
});
