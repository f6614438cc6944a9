// Original file: pkg/cri/api.proto


export interface ContainerStatsFilter__Input {
  'id'?: (string);
  'podSandboxId'?: (string);
  'labelSelector'?: ({[key: string]: string});
}

export interface ContainerStatsFilter {
  'id': (string);
  'podSandboxId': (string);
  'labelSelector': ({[key: string]: string});
}
