// kubecontainer.HashContainer: a container whose hash changed is killed and
// recreated. Upstream hashes only the fields a pod update may change (name and
// image), so a kubelet upgrade or a defaulted field never restarts containers.
import { fnv32a } from '../../util/hash.js';
import type { Container } from '../../../api/core/v1/types.js';

export function hashContainer(container: Pick<Container, 'name' | 'image'>): string {
  const json = JSON.stringify({ name: container.name, image: container.image ?? '' });
  return fnv32a(new TextEncoder().encode(json)).toString(16);
}
