// Original file: pkg/cri/api.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ImageFsInfoRequest__Input as _runtime_v1_ImageFsInfoRequest__Input, ImageFsInfoRequest as _runtime_v1_ImageFsInfoRequest } from '../../runtime/v1/ImageFsInfoRequest.js';
import type { ImageFsInfoResponse__Input as _runtime_v1_ImageFsInfoResponse__Input, ImageFsInfoResponse as _runtime_v1_ImageFsInfoResponse } from '../../runtime/v1/ImageFsInfoResponse.js';
import type { ImageStatusRequest__Input as _runtime_v1_ImageStatusRequest__Input, ImageStatusRequest as _runtime_v1_ImageStatusRequest } from '../../runtime/v1/ImageStatusRequest.js';
import type { ImageStatusResponse__Input as _runtime_v1_ImageStatusResponse__Input, ImageStatusResponse as _runtime_v1_ImageStatusResponse } from '../../runtime/v1/ImageStatusResponse.js';
import type { ListImagesRequest__Input as _runtime_v1_ListImagesRequest__Input, ListImagesRequest as _runtime_v1_ListImagesRequest } from '../../runtime/v1/ListImagesRequest.js';
import type { ListImagesResponse__Input as _runtime_v1_ListImagesResponse__Input, ListImagesResponse as _runtime_v1_ListImagesResponse } from '../../runtime/v1/ListImagesResponse.js';
import type { PullImageRequest__Input as _runtime_v1_PullImageRequest__Input, PullImageRequest as _runtime_v1_PullImageRequest } from '../../runtime/v1/PullImageRequest.js';
import type { PullImageResponse__Input as _runtime_v1_PullImageResponse__Input, PullImageResponse as _runtime_v1_PullImageResponse } from '../../runtime/v1/PullImageResponse.js';
import type { RemoveImageRequest__Input as _runtime_v1_RemoveImageRequest__Input, RemoveImageRequest as _runtime_v1_RemoveImageRequest } from '../../runtime/v1/RemoveImageRequest.js';
import type { RemoveImageResponse__Input as _runtime_v1_RemoveImageResponse__Input, RemoveImageResponse as _runtime_v1_RemoveImageResponse } from '../../runtime/v1/RemoveImageResponse.js';

export interface ImageServiceClient extends grpc.Client {
  ImageFsInfo(argument: _runtime_v1_ImageFsInfoRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ImageFsInfoResponse>): grpc.ClientUnaryCall;
  ImageFsInfo(argument: _runtime_v1_ImageFsInfoRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ImageFsInfoResponse>): grpc.ClientUnaryCall;
  ImageFsInfo(argument: _runtime_v1_ImageFsInfoRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ImageFsInfoResponse>): grpc.ClientUnaryCall;
  ImageFsInfo(argument: _runtime_v1_ImageFsInfoRequest__Input, callback: grpc.requestCallback<_runtime_v1_ImageFsInfoResponse>): grpc.ClientUnaryCall;
  imageFsInfo(argument: _runtime_v1_ImageFsInfoRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ImageFsInfoResponse>): grpc.ClientUnaryCall;
  imageFsInfo(argument: _runtime_v1_ImageFsInfoRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ImageFsInfoResponse>): grpc.ClientUnaryCall;
  imageFsInfo(argument: _runtime_v1_ImageFsInfoRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ImageFsInfoResponse>): grpc.ClientUnaryCall;
  imageFsInfo(argument: _runtime_v1_ImageFsInfoRequest__Input, callback: grpc.requestCallback<_runtime_v1_ImageFsInfoResponse>): grpc.ClientUnaryCall;
  
  ImageStatus(argument: _runtime_v1_ImageStatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ImageStatusResponse>): grpc.ClientUnaryCall;
  ImageStatus(argument: _runtime_v1_ImageStatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ImageStatusResponse>): grpc.ClientUnaryCall;
  ImageStatus(argument: _runtime_v1_ImageStatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ImageStatusResponse>): grpc.ClientUnaryCall;
  ImageStatus(argument: _runtime_v1_ImageStatusRequest__Input, callback: grpc.requestCallback<_runtime_v1_ImageStatusResponse>): grpc.ClientUnaryCall;
  imageStatus(argument: _runtime_v1_ImageStatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ImageStatusResponse>): grpc.ClientUnaryCall;
  imageStatus(argument: _runtime_v1_ImageStatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ImageStatusResponse>): grpc.ClientUnaryCall;
  imageStatus(argument: _runtime_v1_ImageStatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ImageStatusResponse>): grpc.ClientUnaryCall;
  imageStatus(argument: _runtime_v1_ImageStatusRequest__Input, callback: grpc.requestCallback<_runtime_v1_ImageStatusResponse>): grpc.ClientUnaryCall;
  
  ListImages(argument: _runtime_v1_ListImagesRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListImagesResponse>): grpc.ClientUnaryCall;
  ListImages(argument: _runtime_v1_ListImagesRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ListImagesResponse>): grpc.ClientUnaryCall;
  ListImages(argument: _runtime_v1_ListImagesRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListImagesResponse>): grpc.ClientUnaryCall;
  ListImages(argument: _runtime_v1_ListImagesRequest__Input, callback: grpc.requestCallback<_runtime_v1_ListImagesResponse>): grpc.ClientUnaryCall;
  listImages(argument: _runtime_v1_ListImagesRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListImagesResponse>): grpc.ClientUnaryCall;
  listImages(argument: _runtime_v1_ListImagesRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ListImagesResponse>): grpc.ClientUnaryCall;
  listImages(argument: _runtime_v1_ListImagesRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListImagesResponse>): grpc.ClientUnaryCall;
  listImages(argument: _runtime_v1_ListImagesRequest__Input, callback: grpc.requestCallback<_runtime_v1_ListImagesResponse>): grpc.ClientUnaryCall;
  
  PullImage(argument: _runtime_v1_PullImageRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PullImageResponse>): grpc.ClientUnaryCall;
  PullImage(argument: _runtime_v1_PullImageRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_PullImageResponse>): grpc.ClientUnaryCall;
  PullImage(argument: _runtime_v1_PullImageRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PullImageResponse>): grpc.ClientUnaryCall;
  PullImage(argument: _runtime_v1_PullImageRequest__Input, callback: grpc.requestCallback<_runtime_v1_PullImageResponse>): grpc.ClientUnaryCall;
  pullImage(argument: _runtime_v1_PullImageRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PullImageResponse>): grpc.ClientUnaryCall;
  pullImage(argument: _runtime_v1_PullImageRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_PullImageResponse>): grpc.ClientUnaryCall;
  pullImage(argument: _runtime_v1_PullImageRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PullImageResponse>): grpc.ClientUnaryCall;
  pullImage(argument: _runtime_v1_PullImageRequest__Input, callback: grpc.requestCallback<_runtime_v1_PullImageResponse>): grpc.ClientUnaryCall;
  
  RemoveImage(argument: _runtime_v1_RemoveImageRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemoveImageResponse>): grpc.ClientUnaryCall;
  RemoveImage(argument: _runtime_v1_RemoveImageRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_RemoveImageResponse>): grpc.ClientUnaryCall;
  RemoveImage(argument: _runtime_v1_RemoveImageRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemoveImageResponse>): grpc.ClientUnaryCall;
  RemoveImage(argument: _runtime_v1_RemoveImageRequest__Input, callback: grpc.requestCallback<_runtime_v1_RemoveImageResponse>): grpc.ClientUnaryCall;
  removeImage(argument: _runtime_v1_RemoveImageRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemoveImageResponse>): grpc.ClientUnaryCall;
  removeImage(argument: _runtime_v1_RemoveImageRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_RemoveImageResponse>): grpc.ClientUnaryCall;
  removeImage(argument: _runtime_v1_RemoveImageRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemoveImageResponse>): grpc.ClientUnaryCall;
  removeImage(argument: _runtime_v1_RemoveImageRequest__Input, callback: grpc.requestCallback<_runtime_v1_RemoveImageResponse>): grpc.ClientUnaryCall;
  
}

export interface ImageServiceHandlers extends grpc.UntypedServiceImplementation {
  ImageFsInfo: grpc.handleUnaryCall<_runtime_v1_ImageFsInfoRequest, _runtime_v1_ImageFsInfoResponse__Input>;
  
  ImageStatus: grpc.handleUnaryCall<_runtime_v1_ImageStatusRequest, _runtime_v1_ImageStatusResponse__Input>;
  
  ListImages: grpc.handleUnaryCall<_runtime_v1_ListImagesRequest, _runtime_v1_ListImagesResponse__Input>;
  
  PullImage: grpc.handleUnaryCall<_runtime_v1_PullImageRequest, _runtime_v1_PullImageResponse__Input>;
  
  RemoveImage: grpc.handleUnaryCall<_runtime_v1_RemoveImageRequest, _runtime_v1_RemoveImageResponse__Input>;
  
}

export interface ImageServiceDefinition extends grpc.ServiceDefinition {
  ImageFsInfo: MethodDefinition<_runtime_v1_ImageFsInfoRequest__Input, _runtime_v1_ImageFsInfoResponse__Input, _runtime_v1_ImageFsInfoRequest, _runtime_v1_ImageFsInfoResponse>
  ImageStatus: MethodDefinition<_runtime_v1_ImageStatusRequest__Input, _runtime_v1_ImageStatusResponse__Input, _runtime_v1_ImageStatusRequest, _runtime_v1_ImageStatusResponse>
  ListImages: MethodDefinition<_runtime_v1_ListImagesRequest__Input, _runtime_v1_ListImagesResponse__Input, _runtime_v1_ListImagesRequest, _runtime_v1_ListImagesResponse>
  PullImage: MethodDefinition<_runtime_v1_PullImageRequest__Input, _runtime_v1_PullImageResponse__Input, _runtime_v1_PullImageRequest, _runtime_v1_PullImageResponse>
  RemoveImage: MethodDefinition<_runtime_v1_RemoveImageRequest__Input, _runtime_v1_RemoveImageResponse__Input, _runtime_v1_RemoveImageRequest, _runtime_v1_RemoveImageResponse>
}
