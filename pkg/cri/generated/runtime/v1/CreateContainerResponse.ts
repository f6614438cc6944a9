// Original file: pkg/cri/api.proto


export interface CreateContainerResponse__Input {
  'containerId'?: (string);
}

export interface CreateContainerResponse {
  'containerId': (string);
}
