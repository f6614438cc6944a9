// The bootstrap-token controllers, by the names kube-controller-manager's
// --controllers flag gives them. Upstream leaves them off unless named (kubeadm
// names them); here they run with the others: each costs two small watches.
import type { Controller, ControllerContext } from '../context.js';
import { BootstrapSigner } from './bootstrapsigner.js';
import { TokenCleaner } from './tokencleaner.js';

export const BOOTSTRAP_CONTROLLERS: Record<string, (ctx: ControllerContext) => Controller> = {
  bootstrapsigner: (ctx) => new BootstrapSigner(ctx),
  tokencleaner: (ctx) => new TokenCleaner(ctx),
};
