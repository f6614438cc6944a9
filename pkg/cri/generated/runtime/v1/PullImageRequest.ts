// Original file: pkg/cri/api.proto

import type { ImageSpec__Input as _runtime_v1_ImageSpec__Input, ImageSpec as _runtime_v1_ImageSpec } from '../../runtime/v1/ImageSpec.js';
import type { AuthConfig__Input as _runtime_v1_AuthConfig__Input, AuthConfig as _runtime_v1_AuthConfig } from '../../runtime/v1/AuthConfig.js';
import type { PodSandboxConfig__Input as _runtime_v1_PodSandboxConfig__Input, PodSandboxConfig as _runtime_v1_PodSandboxConfig } from '../../runtime/v1/PodSandboxConfig.js';

export interface PullImageRequest__Input {
  'image'?: (_runtime_v1_ImageSpec__Input | null);
  'auth'?: (_runtime_v1_AuthConfig__Input | null);
  'sandboxConfig'?: (_runtime_v1_PodSandboxConfig__Input | null);
}

export interface PullImageRequest {
  'image': (_runtime_v1_ImageSpec | null);
  'auth': (_runtime_v1_AuthConfig | null);
  'sandboxConfig': (_runtime_v1_PodSandboxConfig | null);
}
