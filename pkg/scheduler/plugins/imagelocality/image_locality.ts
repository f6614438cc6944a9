// ImageLocality: prefers nodes that already hold the pod's images, weighted by
// image size and by how widely the image is spread (so one node holding a
// popular image does not attract everything).
import type { Pod } from '../../../../api/core/v1/types.js';
import { CycleState, MAX_NODE_SCORE, SKIP, SUCCESS } from '../../framework/types.js';
import type { ClusterLister, NodeInfo, PreScorePlugin, ScorePlugin, Status } from '../../framework/types.js';

export const NAME = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const PRE_SCORE_KEY = 'PreScore' + NAME;

/** normalizedImageName: an image without a tag or digest means :latest. */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return name + ':latest';
  return name;
}

interface ImageLocalityState {
  images: string[];
  numNodesWith: Map<string, number>;
  totalNodes: number;
}

export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const s = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  return Math.trunc((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

function podImages(pod: Pod): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? ''));
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly weight = 1;
  constructor(private readonly lister: ClusterLister) {}

  preScore(state: CycleState, pod: Pod): Status {
    const images = podImages(pod);
    const wanted = new Set(images);
    const numNodesWith = new Map<string, number>();
    const all = this.lister.nodes();
    if (this.lister.imageNumNodes) {
      // The scheduler cache keeps the per-image node counts (upstream's snapshot ImageStates).
      for (const n of wanted) {
        const c = this.lister.imageNumNodes(n);
        if (c > 0) numNodesWith.set(n, c);
      }
    } else {
      for (const ni of all) {
        const seen = new Set<string>();
        for (const img of ni.node.status?.images ?? []) {
          for (const n of img.names ?? []) if (wanted.has(n)) seen.add(n);
        }
        for (const n of seen) numNodesWith.set(n, (numNodesWith.get(n) ?? 0) + 1);
      }
    }
    state.write(PRE_SCORE_KEY, { images, numNodesWith, totalNodes: all.length } satisfies ImageLocalityState);
    // No node holds any of the images: every node would score 0.
    return numNodesWith.size ? SUCCESS : SKIP;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    let s = state.read<ImageLocalityState>(PRE_SCORE_KEY);
    if (!s) {
      this.preScore(state, pod);
      s = state.read<ImageLocalityState>(PRE_SCORE_KEY)!;
    }
    if (s.images.length === 0) return 0;
    const sizes = new Map<string, number>();
    for (const img of nodeInfo.node.status?.images ?? []) for (const n of img.names ?? []) sizes.set(n, img.sizeBytes ?? 0);
    let sum = 0;
    for (const image of s.images) {
      const size = sizes.get(image);
      if (size === undefined) continue;
      const spread = (s.numNodesWith.get(image) ?? 1) / Math.max(1, s.totalNodes);
      sum += Math.trunc(size * spread);
    }
    return calculatePriority(sum, s.images.length);
  }
}
