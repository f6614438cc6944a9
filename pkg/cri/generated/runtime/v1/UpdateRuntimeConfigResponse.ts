// Original file: pkg/cri/api.proto


export interface UpdateRuntimeConfigResponse__Input {
}

export interface UpdateRuntimeConfigResponse {
}
