// Original file: pkg/cri/api.proto


export interface UpdateContainerResourcesResponse__Input {
}

export interface UpdateContainerResourcesResponse {
}
