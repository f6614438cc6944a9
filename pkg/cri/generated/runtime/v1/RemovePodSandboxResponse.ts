// Original file: pkg/cri/api.proto


export interface RemovePodSandboxResponse__Input {
}

export interface RemovePodSandboxResponse {
}
