// Original file: pkg/cri/api.proto


export interface RemoveImageResponse__Input {
}

export interface RemoveImageResponse {
}
