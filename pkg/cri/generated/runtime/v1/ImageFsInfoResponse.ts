// Original file: pkg/cri/api.proto

import type { FilesystemUsage__Input as _runtime_v1_FilesystemUsage__Input, FilesystemUsage as _runtime_v1_FilesystemUsage } from '../../runtime/v1/FilesystemUsage.js';

export interface ImageFsInfoResponse__Input {
  'imageFilesystems'?: (_runtime_v1_FilesystemUsage__Input)[];
  'containerFilesystems'?: (_runtime_v1_FilesystemUsage__Input)[];
}

export interface ImageFsInfoResponse {
  'imageFilesystems': (_runtime_v1_FilesystemUsage)[];
  'containerFilesystems': (_runtime_v1_FilesystemUsage)[];
}
