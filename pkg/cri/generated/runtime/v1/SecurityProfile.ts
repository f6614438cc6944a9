// Original file: pkg/cri/api.proto


// Original file: pkg/cri/api.proto

export const _runtime_v1_SecurityProfile_ProfileType = {
  RuntimeDefault: 'RuntimeDefault',
  Unconfined: 'Unconfined',
  Localhost: 'Localhost',
} as const;

export type _runtime_v1_SecurityProfile_ProfileType__Input =
  | 'RuntimeDefault'
  | 0
  | 'Unconfined'
  | 1
  | 'Localhost'
  | 2

export type _runtime_v1_SecurityProfile_ProfileType = typeof _runtime_v1_SecurityProfile_ProfileType[keyof typeof _runtime_v1_SecurityProfile_ProfileType]

export interface SecurityProfile__Input {
  'profileType'?: (_runtime_v1_SecurityProfile_ProfileType__Input);
  'localhostRef'?: (string);
}

export interface SecurityProfile {
  'profileType': (_runtime_v1_SecurityProfile_ProfileType);
  'localhostRef': (string);
}
