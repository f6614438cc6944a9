// Original file: pkg/cri/api.proto


export interface ImageFsInfoRequest__Input {
}

export interface ImageFsInfoRequest {
}
