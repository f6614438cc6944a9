export { VolumeManager, VolumeMountError, PLUGIN_DIRS, type VolumeManagerOptions } from './manager.js';
export { tokenRequester, TokenCache, type TokenRESTClient } from './token.js';
export { writeAtomically, type FileProjection, type Payload } from './atomic_writer.js';
export type { TokenSource, VolumeLookup } from './types.js';
