// Original file: pkg/cri/api.proto


export interface StopContainerResponse__Input {
}

export interface StopContainerResponse {
}
