// Original file: pkg/cri/api.proto


export interface RemoveContainerResponse__Input {
}

export interface RemoveContainerResponse {
}
