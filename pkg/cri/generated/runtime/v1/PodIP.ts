// Original file: pkg/cri/api.proto


export interface PodIP__Input {
  'ip'?: (string);
}

export interface PodIP {
  'ip': (string);
}
