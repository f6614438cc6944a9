// PreemptionWriter over the REST client: victims are deleted with a uid
// precondition (a recreated pod of the same name is not touched) and the
// preemptor's nominatedNodeName is patched onto its status.
import type { Pod } from '../../../../api/core/v1/types.js';
import type { Client } from '../../../client/rest.js';
import { isStatus } from '../../../client/rest.js';
import type { PreemptionWriter } from './default_preemption.js';

export function clientPreemptionWriter(client: Client): PreemptionWriter {
  const pods = client.resource<Pod>('v1', 'pods');
  return {
    async deletePod(victim: Pod): Promise<void> {
      try {
        await pods.namespace(victim.metadata.namespace).delete(victim.metadata.name ?? '', { preconditions: { uid: victim.metadata.uid } });
      } catch (err) {
        if (!isStatus(err, 404)) throw err; // already gone is fine
      }
    },
    async setNominatedNodeName(pod: Pod, nodeName: string): Promise<void> {
      await pods
        .namespace(pod.metadata.namespace)
        .patch(pod.metadata.name ?? '', 'merge', { status: { nominatedNodeName: nodeName } }, { subresource: 'status' });
    },
  };
}
