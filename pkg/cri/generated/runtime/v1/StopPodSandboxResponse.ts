// Original file: pkg/cri/api.proto


export interface StopPodSandboxResponse__Input {
}

export interface StopPodSandboxResponse {
}
