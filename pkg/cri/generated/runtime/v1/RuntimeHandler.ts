// Original file: pkg/cri/api.proto

import type { RuntimeHandlerFeatures__Input as _runtime_v1_RuntimeHandlerFeatures__Input, RuntimeHandlerFeatures as _runtime_v1_RuntimeHandlerFeatures } from '../../runtime/v1/RuntimeHandlerFeatures.js';

export interface RuntimeHandler__Input {
  'name'?: (string);
  'features'?: (_runtime_v1_RuntimeHandlerFeatures__Input | null);
}

export interface RuntimeHandler {
  'name': (string);
  'features': (_runtime_v1_RuntimeHandlerFeatures | null);
}
