// Original file: pkg/cri/api.proto


export interface ContainerStatsRequest__Input {
  'containerId'?: (string);
}

export interface ContainerStatsRequest {
  'containerId': (string);
}
