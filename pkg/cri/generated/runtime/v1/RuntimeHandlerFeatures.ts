// Original file: pkg/cri/api.proto


export interface RuntimeHandlerFeatures__Input {
  'recursiveReadOnlyMounts'?: (boolean);
  'userNamespaces'?: (boolean);
}

export interface RuntimeHandlerFeatures {
  'recursiveReadOnlyMounts': (boolean);
  'userNamespaces': (boolean);
}
