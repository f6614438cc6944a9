// Original file: pkg/cri/api.proto


export interface ExecSyncResponse__Input {
  'stdout'?: (Buffer | Uint8Array | string);
  'stderr'?: (Buffer | Uint8Array | string);
  'exitCode'?: (number);
}

export interface ExecSyncResponse {
  'stdout': (Buffer);
  'stderr': (Buffer);
  'exitCode': (number);
}
