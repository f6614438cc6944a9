// Original file: pkg/cri/api.proto


export interface ReopenContainerLogResponse__Input {
}

export interface ReopenContainerLogResponse {
}
