// Original file: pkg/cri/api.proto


export interface StartContainerResponse__Input {
}

export interface StartContainerResponse {
}
