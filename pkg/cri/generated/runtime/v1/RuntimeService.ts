// Original file: pkg/cri/api.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AttachRequest__Input as _runtime_v1_AttachRequest__Input, AttachRequest as _runtime_v1_AttachRequest } from '../../runtime/v1/AttachRequest.js';
import type { AttachResponse__Input as _runtime_v1_AttachResponse__Input, AttachResponse as _runtime_v1_AttachResponse } from '../../runtime/v1/AttachResponse.js';
import type { ContainerStatsRequest__Input as _runtime_v1_ContainerStatsRequest__Input, ContainerStatsRequest as _runtime_v1_ContainerStatsRequest } from '../../runtime/v1/ContainerStatsRequest.js';
import type { ContainerStatsResponse__Input as _runtime_v1_ContainerStatsResponse__Input, ContainerStatsResponse as _runtime_v1_ContainerStatsResponse } from '../../runtime/v1/ContainerStatsResponse.js';
import type { ContainerStatusRequest__Input as _runtime_v1_ContainerStatusRequest__Input, ContainerStatusRequest as _runtime_v1_ContainerStatusRequest } from '../../runtime/v1/ContainerStatusRequest.js';
import type { ContainerStatusResponse__Input as _runtime_v1_ContainerStatusResponse__Input, ContainerStatusResponse as _runtime_v1_ContainerStatusResponse } from '../../runtime/v1/ContainerStatusResponse.js';
import type { CreateContainerRequest__Input as _runtime_v1_CreateContainerRequest__Input, CreateContainerRequest as _runtime_v1_CreateContainerRequest } from '../../runtime/v1/CreateContainerRequest.js';
import type { CreateContainerResponse__Input as _runtime_v1_CreateContainerResponse__Input, CreateContainerResponse as _runtime_v1_CreateContainerResponse } from '../../runtime/v1/CreateContainerResponse.js';
import type { ExecRequest__Input as _runtime_v1_ExecRequest__Input, ExecRequest as _runtime_v1_ExecRequest } from '../../runtime/v1/ExecRequest.js';
import type { ExecResponse__Input as _runtime_v1_ExecResponse__Input, ExecResponse as _runtime_v1_ExecResponse } from '../../runtime/v1/ExecResponse.js';
import type { ExecSyncRequest__Input as _runtime_v1_ExecSyncRequest__Input, ExecSyncRequest as _runtime_v1_ExecSyncRequest } from '../../runtime/v1/ExecSyncRequest.js';
import type { ExecSyncResponse__Input as _runtime_v1_ExecSyncResponse__Input, ExecSyncResponse as _runtime_v1_ExecSyncResponse } from '../../runtime/v1/ExecSyncResponse.js';
import type { ListContainerStatsRequest__Input as _runtime_v1_ListContainerStatsRequest__Input, ListContainerStatsRequest as _runtime_v1_ListContainerStatsRequest } from '../../runtime/v1/ListContainerStatsRequest.js';
import type { ListContainerStatsResponse__Input as _runtime_v1_ListContainerStatsResponse__Input, ListContainerStatsResponse as _runtime_v1_ListContainerStatsResponse } from '../../runtime/v1/ListContainerStatsResponse.js';
import type { ListContainersRequest__Input as _runtime_v1_ListContainersRequest__Input, ListContainersRequest as _runtime_v1_ListContainersRequest } from '../../runtime/v1/ListContainersRequest.js';
import type { ListContainersResponse__Input as _runtime_v1_ListContainersResponse__Input, ListContainersResponse as _runtime_v1_ListContainersResponse } from '../../runtime/v1/ListContainersResponse.js';
import type { ListPodSandboxRequest__Input as _runtime_v1_ListPodSandboxRequest__Input, ListPodSandboxRequest as _runtime_v1_ListPodSandboxRequest } from '../../runtime/v1/ListPodSandboxRequest.js';
import type { ListPodSandboxResponse__Input as _runtime_v1_ListPodSandboxResponse__Input, ListPodSandboxResponse as _runtime_v1_ListPodSandboxResponse } from '../../runtime/v1/ListPodSandboxResponse.js';
import type { PodSandboxStatusRequest__Input as _runtime_v1_PodSandboxStatusRequest__Input, PodSandboxStatusRequest as _runtime_v1_PodSandboxStatusRequest } from '../../runtime/v1/PodSandboxStatusRequest.js';
import type { PodSandboxStatusResponse__Input as _runtime_v1_PodSandboxStatusResponse__Input, PodSandboxStatusResponse as _runtime_v1_PodSandboxStatusResponse } from '../../runtime/v1/PodSandboxStatusResponse.js';
import type { PortForwardRequest__Input as _runtime_v1_PortForwardRequest__Input, PortForwardRequest as _runtime_v1_PortForwardRequest } from '../../runtime/v1/PortForwardRequest.js';
import type { PortForwardResponse__Input as _runtime_v1_PortForwardResponse__Input, PortForwardResponse as _runtime_v1_PortForwardResponse } from '../../runtime/v1/PortForwardResponse.js';
import type { RemoveContainerRequest__Input as _runtime_v1_RemoveContainerRequest__Input, RemoveContainerRequest as _runtime_v1_RemoveContainerRequest } from '../../runtime/v1/RemoveContainerRequest.js';
import type { RemoveContainerResponse__Input as _runtime_v1_RemoveContainerResponse__Input, RemoveContainerResponse as _runtime_v1_RemoveContainerResponse } from '../../runtime/v1/RemoveContainerResponse.js';
import type { RemovePodSandboxRequest__Input as _runtime_v1_RemovePodSandboxRequest__Input, RemovePodSandboxRequest as _runtime_v1_RemovePodSandboxRequest } from '../../runtime/v1/RemovePodSandboxRequest.js';
import type { RemovePodSandboxResponse__Input as _runtime_v1_RemovePodSandboxResponse__Input, RemovePodSandboxResponse as _runtime_v1_RemovePodSandboxResponse } from '../../runtime/v1/RemovePodSandboxResponse.js';
import type { ReopenContainerLogRequest__Input as _runtime_v1_ReopenContainerLogRequest__Input, ReopenContainerLogRequest as _runtime_v1_ReopenContainerLogRequest } from '../../runtime/v1/ReopenContainerLogRequest.js';
import type { ReopenContainerLogResponse__Input as _runtime_v1_ReopenContainerLogResponse__Input, ReopenContainerLogResponse as _runtime_v1_ReopenContainerLogResponse } from '../../runtime/v1/ReopenContainerLogResponse.js';
import type { RunPodSandboxRequest__Input as _runtime_v1_RunPodSandboxRequest__Input, RunPodSandboxRequest as _runtime_v1_RunPodSandboxRequest } from '../../runtime/v1/RunPodSandboxRequest.js';
import type { RunPodSandboxResponse__Input as _runtime_v1_RunPodSandboxResponse__Input, RunPodSandboxResponse as _runtime_v1_RunPodSandboxResponse } from '../../runtime/v1/RunPodSandboxResponse.js';
import type { StartContainerRequest__Input as _runtime_v1_StartContainerRequest__Input, StartContainerRequest as _runtime_v1_StartContainerRequest } from '../../runtime/v1/StartContainerRequest.js';
import type { StartContainerResponse__Input as _runtime_v1_StartContainerResponse__Input, StartContainerResponse as _runtime_v1_StartContainerResponse } from '../../runtime/v1/StartContainerResponse.js';
import type { StatusRequest__Input as _runtime_v1_StatusRequest__Input, StatusRequest as _runtime_v1_StatusRequest } from '../../runtime/v1/StatusRequest.js';
import type { StatusResponse__Input as _runtime_v1_StatusResponse__Input, StatusResponse as _runtime_v1_StatusResponse } from '../../runtime/v1/StatusResponse.js';
import type { StopContainerRequest__Input as _runtime_v1_StopContainerRequest__Input, StopContainerRequest as _runtime_v1_StopContainerRequest } from '../../runtime/v1/StopContainerRequest.js';
import type { StopContainerResponse__Input as _runtime_v1_StopContainerResponse__Input, StopContainerResponse as _runtime_v1_StopContainerResponse } from '../../runtime/v1/StopContainerResponse.js';
import type { StopPodSandboxRequest__Input as _runtime_v1_StopPodSandboxRequest__Input, StopPodSandboxRequest as _runtime_v1_StopPodSandboxRequest } from '../../runtime/v1/StopPodSandboxRequest.js';
import type { StopPodSandboxResponse__Input as _runtime_v1_StopPodSandboxResponse__Input, StopPodSandboxResponse as _runtime_v1_StopPodSandboxResponse } from '../../runtime/v1/StopPodSandboxResponse.js';
import type { UpdateContainerResourcesRequest__Input as _runtime_v1_UpdateContainerResourcesRequest__Input, UpdateContainerResourcesRequest as _runtime_v1_UpdateContainerResourcesRequest } from '../../runtime/v1/UpdateContainerResourcesRequest.js';
import type { UpdateContainerResourcesResponse__Input as _runtime_v1_UpdateContainerResourcesResponse__Input, UpdateContainerResourcesResponse as _runtime_v1_UpdateContainerResourcesResponse } from '../../runtime/v1/UpdateContainerResourcesResponse.js';
import type { UpdateRuntimeConfigRequest__Input as _runtime_v1_UpdateRuntimeConfigRequest__Input, UpdateRuntimeConfigRequest as _runtime_v1_UpdateRuntimeConfigRequest } from '../../runtime/v1/UpdateRuntimeConfigRequest.js';
import type { UpdateRuntimeConfigResponse__Input as _runtime_v1_UpdateRuntimeConfigResponse__Input, UpdateRuntimeConfigResponse as _runtime_v1_UpdateRuntimeConfigResponse } from '../../runtime/v1/UpdateRuntimeConfigResponse.js';
import type { VersionRequest__Input as _runtime_v1_VersionRequest__Input, VersionRequest as _runtime_v1_VersionRequest } from '../../runtime/v1/VersionRequest.js';
import type { VersionResponse__Input as _runtime_v1_VersionResponse__Input, VersionResponse as _runtime_v1_VersionResponse } from '../../runtime/v1/VersionResponse.js';

export interface RuntimeServiceClient extends grpc.Client {
  Attach(argument: _runtime_v1_AttachRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_AttachResponse>): grpc.ClientUnaryCall;
  Attach(argument: _runtime_v1_AttachRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_AttachResponse>): grpc.ClientUnaryCall;
  Attach(argument: _runtime_v1_AttachRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_AttachResponse>): grpc.ClientUnaryCall;
  Attach(argument: _runtime_v1_AttachRequest__Input, callback: grpc.requestCallback<_runtime_v1_AttachResponse>): grpc.ClientUnaryCall;
  attach(argument: _runtime_v1_AttachRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_AttachResponse>): grpc.ClientUnaryCall;
  attach(argument: _runtime_v1_AttachRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_AttachResponse>): grpc.ClientUnaryCall;
  attach(argument: _runtime_v1_AttachRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_AttachResponse>): grpc.ClientUnaryCall;
  attach(argument: _runtime_v1_AttachRequest__Input, callback: grpc.requestCallback<_runtime_v1_AttachResponse>): grpc.ClientUnaryCall;
  
  ContainerStats(argument: _runtime_v1_ContainerStatsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ContainerStatsResponse>): grpc.ClientUnaryCall;
  ContainerStats(argument: _runtime_v1_ContainerStatsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ContainerStatsResponse>): grpc.ClientUnaryCall;
  ContainerStats(argument: _runtime_v1_ContainerStatsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ContainerStatsResponse>): grpc.ClientUnaryCall;
  ContainerStats(argument: _runtime_v1_ContainerStatsRequest__Input, callback: grpc.requestCallback<_runtime_v1_ContainerStatsResponse>): grpc.ClientUnaryCall;
  containerStats(argument: _runtime_v1_ContainerStatsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ContainerStatsResponse>): grpc.ClientUnaryCall;
  containerStats(argument: _runtime_v1_ContainerStatsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ContainerStatsResponse>): grpc.ClientUnaryCall;
  containerStats(argument: _runtime_v1_ContainerStatsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ContainerStatsResponse>): grpc.ClientUnaryCall;
  containerStats(argument: _runtime_v1_ContainerStatsRequest__Input, callback: grpc.requestCallback<_runtime_v1_ContainerStatsResponse>): grpc.ClientUnaryCall;
  
  ContainerStatus(argument: _runtime_v1_ContainerStatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ContainerStatusResponse>): grpc.ClientUnaryCall;
  ContainerStatus(argument: _runtime_v1_ContainerStatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ContainerStatusResponse>): grpc.ClientUnaryCall;
  ContainerStatus(argument: _runtime_v1_ContainerStatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ContainerStatusResponse>): grpc.ClientUnaryCall;
  ContainerStatus(argument: _runtime_v1_ContainerStatusRequest__Input, callback: grpc.requestCallback<_runtime_v1_ContainerStatusResponse>): grpc.ClientUnaryCall;
  containerStatus(argument: _runtime_v1_ContainerStatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ContainerStatusResponse>): grpc.ClientUnaryCall;
  containerStatus(argument: _runtime_v1_ContainerStatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ContainerStatusResponse>): grpc.ClientUnaryCall;
  containerStatus(argument: _runtime_v1_ContainerStatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ContainerStatusResponse>): grpc.ClientUnaryCall;
  containerStatus(argument: _runtime_v1_ContainerStatusRequest__Input, callback: grpc.requestCallback<_runtime_v1_ContainerStatusResponse>): grpc.ClientUnaryCall;
  
  CreateContainer(argument: _runtime_v1_CreateContainerRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_CreateContainerResponse>): grpc.ClientUnaryCall;
  CreateContainer(argument: _runtime_v1_CreateContainerRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_CreateContainerResponse>): grpc.ClientUnaryCall;
  CreateContainer(argument: _runtime_v1_CreateContainerRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_CreateContainerResponse>): grpc.ClientUnaryCall;
  CreateContainer(argument: _runtime_v1_CreateContainerRequest__Input, callback: grpc.requestCallback<_runtime_v1_CreateContainerResponse>): grpc.ClientUnaryCall;
  createContainer(argument: _runtime_v1_CreateContainerRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_CreateContainerResponse>): grpc.ClientUnaryCall;
  createContainer(argument: _runtime_v1_CreateContainerRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_CreateContainerResponse>): grpc.ClientUnaryCall;
  createContainer(argument: _runtime_v1_CreateContainerRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_CreateContainerResponse>): grpc.ClientUnaryCall;
  createContainer(argument: _runtime_v1_CreateContainerRequest__Input, callback: grpc.requestCallback<_runtime_v1_CreateContainerResponse>): grpc.ClientUnaryCall;
  
  Exec(argument: _runtime_v1_ExecRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ExecResponse>): grpc.ClientUnaryCall;
  Exec(argument: _runtime_v1_ExecRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ExecResponse>): grpc.ClientUnaryCall;
  Exec(argument: _runtime_v1_ExecRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ExecResponse>): grpc.ClientUnaryCall;
  Exec(argument: _runtime_v1_ExecRequest__Input, callback: grpc.requestCallback<_runtime_v1_ExecResponse>): grpc.ClientUnaryCall;
  exec(argument: _runtime_v1_ExecRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ExecResponse>): grpc.ClientUnaryCall;
  exec(argument: _runtime_v1_ExecRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ExecResponse>): grpc.ClientUnaryCall;
  exec(argument: _runtime_v1_ExecRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ExecResponse>): grpc.ClientUnaryCall;
  exec(argument: _runtime_v1_ExecRequest__Input, callback: grpc.requestCallback<_runtime_v1_ExecResponse>): grpc.ClientUnaryCall;
  
  ExecSync(argument: _runtime_v1_ExecSyncRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ExecSyncResponse>): grpc.ClientUnaryCall;
  ExecSync(argument: _runtime_v1_ExecSyncRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ExecSyncResponse>): grpc.ClientUnaryCall;
  ExecSync(argument: _runtime_v1_ExecSyncRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ExecSyncResponse>): grpc.ClientUnaryCall;
  ExecSync(argument: _runtime_v1_ExecSyncRequest__Input, callback: grpc.requestCallback<_runtime_v1_ExecSyncResponse>): grpc.ClientUnaryCall;
  execSync(argument: _runtime_v1_ExecSyncRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ExecSyncResponse>): grpc.ClientUnaryCall;
  execSync(argument: _runtime_v1_ExecSyncRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ExecSyncResponse>): grpc.ClientUnaryCall;
  execSync(argument: _runtime_v1_ExecSyncRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ExecSyncResponse>): grpc.ClientUnaryCall;
  execSync(argument: _runtime_v1_ExecSyncRequest__Input, callback: grpc.requestCallback<_runtime_v1_ExecSyncResponse>): grpc.ClientUnaryCall;
  
  ListContainerStats(argument: _runtime_v1_ListContainerStatsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListContainerStatsResponse>): grpc.ClientUnaryCall;
  ListContainerStats(argument: _runtime_v1_ListContainerStatsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ListContainerStatsResponse>): grpc.ClientUnaryCall;
  ListContainerStats(argument: _runtime_v1_ListContainerStatsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListContainerStatsResponse>): grpc.ClientUnaryCall;
  ListContainerStats(argument: _runtime_v1_ListContainerStatsRequest__Input, callback: grpc.requestCallback<_runtime_v1_ListContainerStatsResponse>): grpc.ClientUnaryCall;
  listContainerStats(argument: _runtime_v1_ListContainerStatsRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListContainerStatsResponse>): grpc.ClientUnaryCall;
  listContainerStats(argument: _runtime_v1_ListContainerStatsRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ListContainerStatsResponse>): grpc.ClientUnaryCall;
  listContainerStats(argument: _runtime_v1_ListContainerStatsRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListContainerStatsResponse>): grpc.ClientUnaryCall;
  listContainerStats(argument: _runtime_v1_ListContainerStatsRequest__Input, callback: grpc.requestCallback<_runtime_v1_ListContainerStatsResponse>): grpc.ClientUnaryCall;
  
  ListContainers(argument: _runtime_v1_ListContainersRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListContainersResponse>): grpc.ClientUnaryCall;
  ListContainers(argument: _runtime_v1_ListContainersRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ListContainersResponse>): grpc.ClientUnaryCall;
  ListContainers(argument: _runtime_v1_ListContainersRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListContainersResponse>): grpc.ClientUnaryCall;
  ListContainers(argument: _runtime_v1_ListContainersRequest__Input, callback: grpc.requestCallback<_runtime_v1_ListContainersResponse>): grpc.ClientUnaryCall;
  listContainers(argument: _runtime_v1_ListContainersRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListContainersResponse>): grpc.ClientUnaryCall;
  listContainers(argument: _runtime_v1_ListContainersRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ListContainersResponse>): grpc.ClientUnaryCall;
  listContainers(argument: _runtime_v1_ListContainersRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListContainersResponse>): grpc.ClientUnaryCall;
  listContainers(argument: _runtime_v1_ListContainersRequest__Input, callback: grpc.requestCallback<_runtime_v1_ListContainersResponse>): grpc.ClientUnaryCall;
  
  ListPodSandbox(argument: _runtime_v1_ListPodSandboxRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListPodSandboxResponse>): grpc.ClientUnaryCall;
  ListPodSandbox(argument: _runtime_v1_ListPodSandboxRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ListPodSandboxResponse>): grpc.ClientUnaryCall;
  ListPodSandbox(argument: _runtime_v1_ListPodSandboxRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListPodSandboxResponse>): grpc.ClientUnaryCall;
  ListPodSandbox(argument: _runtime_v1_ListPodSandboxRequest__Input, callback: grpc.requestCallback<_runtime_v1_ListPodSandboxResponse>): grpc.ClientUnaryCall;
  listPodSandbox(argument: _runtime_v1_ListPodSandboxRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListPodSandboxResponse>): grpc.ClientUnaryCall;
  listPodSandbox(argument: _runtime_v1_ListPodSandboxRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ListPodSandboxResponse>): grpc.ClientUnaryCall;
  listPodSandbox(argument: _runtime_v1_ListPodSandboxRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ListPodSandboxResponse>): grpc.ClientUnaryCall;
  listPodSandbox(argument: _runtime_v1_ListPodSandboxRequest__Input, callback: grpc.requestCallback<_runtime_v1_ListPodSandboxResponse>): grpc.ClientUnaryCall;
  
  PodSandboxStatus(argument: _runtime_v1_PodSandboxStatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PodSandboxStatusResponse>): grpc.ClientUnaryCall;
  PodSandboxStatus(argument: _runtime_v1_PodSandboxStatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_PodSandboxStatusResponse>): grpc.ClientUnaryCall;
  PodSandboxStatus(argument: _runtime_v1_PodSandboxStatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PodSandboxStatusResponse>): grpc.ClientUnaryCall;
  PodSandboxStatus(argument: _runtime_v1_PodSandboxStatusRequest__Input, callback: grpc.requestCallback<_runtime_v1_PodSandboxStatusResponse>): grpc.ClientUnaryCall;
  podSandboxStatus(argument: _runtime_v1_PodSandboxStatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PodSandboxStatusResponse>): grpc.ClientUnaryCall;
  podSandboxStatus(argument: _runtime_v1_PodSandboxStatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_PodSandboxStatusResponse>): grpc.ClientUnaryCall;
  podSandboxStatus(argument: _runtime_v1_PodSandboxStatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PodSandboxStatusResponse>): grpc.ClientUnaryCall;
  podSandboxStatus(argument: _runtime_v1_PodSandboxStatusRequest__Input, callback: grpc.requestCallback<_runtime_v1_PodSandboxStatusResponse>): grpc.ClientUnaryCall;
  
  PortForward(argument: _runtime_v1_PortForwardRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PortForwardResponse>): grpc.ClientUnaryCall;
  PortForward(argument: _runtime_v1_PortForwardRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_PortForwardResponse>): grpc.ClientUnaryCall;
  PortForward(argument: _runtime_v1_PortForwardRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PortForwardResponse>): grpc.ClientUnaryCall;
  PortForward(argument: _runtime_v1_PortForwardRequest__Input, callback: grpc.requestCallback<_runtime_v1_PortForwardResponse>): grpc.ClientUnaryCall;
  portForward(argument: _runtime_v1_PortForwardRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PortForwardResponse>): grpc.ClientUnaryCall;
  portForward(argument: _runtime_v1_PortForwardRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_PortForwardResponse>): grpc.ClientUnaryCall;
  portForward(argument: _runtime_v1_PortForwardRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_PortForwardResponse>): grpc.ClientUnaryCall;
  portForward(argument: _runtime_v1_PortForwardRequest__Input, callback: grpc.requestCallback<_runtime_v1_PortForwardResponse>): grpc.ClientUnaryCall;
  
  RemoveContainer(argument: _runtime_v1_RemoveContainerRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemoveContainerResponse>): grpc.ClientUnaryCall;
  RemoveContainer(argument: _runtime_v1_RemoveContainerRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_RemoveContainerResponse>): grpc.ClientUnaryCall;
  RemoveContainer(argument: _runtime_v1_RemoveContainerRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemoveContainerResponse>): grpc.ClientUnaryCall;
  RemoveContainer(argument: _runtime_v1_RemoveContainerRequest__Input, callback: grpc.requestCallback<_runtime_v1_RemoveContainerResponse>): grpc.ClientUnaryCall;
  removeContainer(argument: _runtime_v1_RemoveContainerRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemoveContainerResponse>): grpc.ClientUnaryCall;
  removeContainer(argument: _runtime_v1_RemoveContainerRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_RemoveContainerResponse>): grpc.ClientUnaryCall;
  removeContainer(argument: _runtime_v1_RemoveContainerRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemoveContainerResponse>): grpc.ClientUnaryCall;
  removeContainer(argument: _runtime_v1_RemoveContainerRequest__Input, callback: grpc.requestCallback<_runtime_v1_RemoveContainerResponse>): grpc.ClientUnaryCall;
  
  RemovePodSandbox(argument: _runtime_v1_RemovePodSandboxRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemovePodSandboxResponse>): grpc.ClientUnaryCall;
  RemovePodSandbox(argument: _runtime_v1_RemovePodSandboxRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_RemovePodSandboxResponse>): grpc.ClientUnaryCall;
  RemovePodSandbox(argument: _runtime_v1_RemovePodSandboxRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemovePodSandboxResponse>): grpc.ClientUnaryCall;
  RemovePodSandbox(argument: _runtime_v1_RemovePodSandboxRequest__Input, callback: grpc.requestCallback<_runtime_v1_RemovePodSandboxResponse>): grpc.ClientUnaryCall;
  removePodSandbox(argument: _runtime_v1_RemovePodSandboxRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemovePodSandboxResponse>): grpc.ClientUnaryCall;
  removePodSandbox(argument: _runtime_v1_RemovePodSandboxRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_RemovePodSandboxResponse>): grpc.ClientUnaryCall;
  removePodSandbox(argument: _runtime_v1_RemovePodSandboxRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RemovePodSandboxResponse>): grpc.ClientUnaryCall;
  removePodSandbox(argument: _runtime_v1_RemovePodSandboxRequest__Input, callback: grpc.requestCallback<_runtime_v1_RemovePodSandboxResponse>): grpc.ClientUnaryCall;
  
  ReopenContainerLog(argument: _runtime_v1_ReopenContainerLogRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ReopenContainerLogResponse>): grpc.ClientUnaryCall;
  ReopenContainerLog(argument: _runtime_v1_ReopenContainerLogRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ReopenContainerLogResponse>): grpc.ClientUnaryCall;
  ReopenContainerLog(argument: _runtime_v1_ReopenContainerLogRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ReopenContainerLogResponse>): grpc.ClientUnaryCall;
  ReopenContainerLog(argument: _runtime_v1_ReopenContainerLogRequest__Input, callback: grpc.requestCallback<_runtime_v1_ReopenContainerLogResponse>): grpc.ClientUnaryCall;
  reopenContainerLog(argument: _runtime_v1_ReopenContainerLogRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ReopenContainerLogResponse>): grpc.ClientUnaryCall;
  reopenContainerLog(argument: _runtime_v1_ReopenContainerLogRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_ReopenContainerLogResponse>): grpc.ClientUnaryCall;
  reopenContainerLog(argument: _runtime_v1_ReopenContainerLogRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_ReopenContainerLogResponse>): grpc.ClientUnaryCall;
  reopenContainerLog(argument: _runtime_v1_ReopenContainerLogRequest__Input, callback: grpc.requestCallback<_runtime_v1_ReopenContainerLogResponse>): grpc.ClientUnaryCall;
  
  RunPodSandbox(argument: _runtime_v1_RunPodSandboxRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RunPodSandboxResponse>): grpc.ClientUnaryCall;
  RunPodSandbox(argument: _runtime_v1_RunPodSandboxRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_RunPodSandboxResponse>): grpc.ClientUnaryCall;
  RunPodSandbox(argument: _runtime_v1_RunPodSandboxRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RunPodSandboxResponse>): grpc.ClientUnaryCall;
  RunPodSandbox(argument: _runtime_v1_RunPodSandboxRequest__Input, callback: grpc.requestCallback<_runtime_v1_RunPodSandboxResponse>): grpc.ClientUnaryCall;
  runPodSandbox(argument: _runtime_v1_RunPodSandboxRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RunPodSandboxResponse>): grpc.ClientUnaryCall;
  runPodSandbox(argument: _runtime_v1_RunPodSandboxRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_RunPodSandboxResponse>): grpc.ClientUnaryCall;
  runPodSandbox(argument: _runtime_v1_RunPodSandboxRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_RunPodSandboxResponse>): grpc.ClientUnaryCall;
  runPodSandbox(argument: _runtime_v1_RunPodSandboxRequest__Input, callback: grpc.requestCallback<_runtime_v1_RunPodSandboxResponse>): grpc.ClientUnaryCall;
  
  StartContainer(argument: _runtime_v1_StartContainerRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StartContainerResponse>): grpc.ClientUnaryCall;
  StartContainer(argument: _runtime_v1_StartContainerRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_StartContainerResponse>): grpc.ClientUnaryCall;
  StartContainer(argument: _runtime_v1_StartContainerRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StartContainerResponse>): grpc.ClientUnaryCall;
  StartContainer(argument: _runtime_v1_StartContainerRequest__Input, callback: grpc.requestCallback<_runtime_v1_StartContainerResponse>): grpc.ClientUnaryCall;
  startContainer(argument: _runtime_v1_StartContainerRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StartContainerResponse>): grpc.ClientUnaryCall;
  startContainer(argument: _runtime_v1_StartContainerRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_StartContainerResponse>): grpc.ClientUnaryCall;
  startContainer(argument: _runtime_v1_StartContainerRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StartContainerResponse>): grpc.ClientUnaryCall;
  startContainer(argument: _runtime_v1_StartContainerRequest__Input, callback: grpc.requestCallback<_runtime_v1_StartContainerResponse>): grpc.ClientUnaryCall;
  
  Status(argument: _runtime_v1_StatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StatusResponse>): grpc.ClientUnaryCall;
  Status(argument: _runtime_v1_StatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_StatusResponse>): grpc.ClientUnaryCall;
  Status(argument: _runtime_v1_StatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StatusResponse>): grpc.ClientUnaryCall;
  Status(argument: _runtime_v1_StatusRequest__Input, callback: grpc.requestCallback<_runtime_v1_StatusResponse>): grpc.ClientUnaryCall;
  status(argument: _runtime_v1_StatusRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StatusResponse>): grpc.ClientUnaryCall;
  status(argument: _runtime_v1_StatusRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_StatusResponse>): grpc.ClientUnaryCall;
  status(argument: _runtime_v1_StatusRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StatusResponse>): grpc.ClientUnaryCall;
  status(argument: _runtime_v1_StatusRequest__Input, callback: grpc.requestCallback<_runtime_v1_StatusResponse>): grpc.ClientUnaryCall;
  
  StopContainer(argument: _runtime_v1_StopContainerRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StopContainerResponse>): grpc.ClientUnaryCall;
  StopContainer(argument: _runtime_v1_StopContainerRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_StopContainerResponse>): grpc.ClientUnaryCall;
  StopContainer(argument: _runtime_v1_StopContainerRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StopContainerResponse>): grpc.ClientUnaryCall;
  StopContainer(argument: _runtime_v1_StopContainerRequest__Input, callback: grpc.requestCallback<_runtime_v1_StopContainerResponse>): grpc.ClientUnaryCall;
  stopContainer(argument: _runtime_v1_StopContainerRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StopContainerResponse>): grpc.ClientUnaryCall;
  stopContainer(argument: _runtime_v1_StopContainerRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_StopContainerResponse>): grpc.ClientUnaryCall;
  stopContainer(argument: _runtime_v1_StopContainerRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StopContainerResponse>): grpc.ClientUnaryCall;
  stopContainer(argument: _runtime_v1_StopContainerRequest__Input, callback: grpc.requestCallback<_runtime_v1_StopContainerResponse>): grpc.ClientUnaryCall;
  
  StopPodSandbox(argument: _runtime_v1_StopPodSandboxRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StopPodSandboxResponse>): grpc.ClientUnaryCall;
  StopPodSandbox(argument: _runtime_v1_StopPodSandboxRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_StopPodSandboxResponse>): grpc.ClientUnaryCall;
  StopPodSandbox(argument: _runtime_v1_StopPodSandboxRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StopPodSandboxResponse>): grpc.ClientUnaryCall;
  StopPodSandbox(argument: _runtime_v1_StopPodSandboxRequest__Input, callback: grpc.requestCallback<_runtime_v1_StopPodSandboxResponse>): grpc.ClientUnaryCall;
  stopPodSandbox(argument: _runtime_v1_StopPodSandboxRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StopPodSandboxResponse>): grpc.ClientUnaryCall;
  stopPodSandbox(argument: _runtime_v1_StopPodSandboxRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_StopPodSandboxResponse>): grpc.ClientUnaryCall;
  stopPodSandbox(argument: _runtime_v1_StopPodSandboxRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_StopPodSandboxResponse>): grpc.ClientUnaryCall;
  stopPodSandbox(argument: _runtime_v1_StopPodSandboxRequest__Input, callback: grpc.requestCallback<_runtime_v1_StopPodSandboxResponse>): grpc.ClientUnaryCall;
  
  UpdateContainerResources(argument: _runtime_v1_UpdateContainerResourcesRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_UpdateContainerResourcesResponse>): grpc.ClientUnaryCall;
  UpdateContainerResources(argument: _runtime_v1_UpdateContainerResourcesRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_UpdateContainerResourcesResponse>): grpc.ClientUnaryCall;
  UpdateContainerResources(argument: _runtime_v1_UpdateContainerResourcesRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_UpdateContainerResourcesResponse>): grpc.ClientUnaryCall;
  UpdateContainerResources(argument: _runtime_v1_UpdateContainerResourcesRequest__Input, callback: grpc.requestCallback<_runtime_v1_UpdateContainerResourcesResponse>): grpc.ClientUnaryCall;
  updateContainerResources(argument: _runtime_v1_UpdateContainerResourcesRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_UpdateContainerResourcesResponse>): grpc.ClientUnaryCall;
  updateContainerResources(argument: _runtime_v1_UpdateContainerResourcesRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_UpdateContainerResourcesResponse>): grpc.ClientUnaryCall;
  updateContainerResources(argument: _runtime_v1_UpdateContainerResourcesRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_UpdateContainerResourcesResponse>): grpc.ClientUnaryCall;
  updateContainerResources(argument: _runtime_v1_UpdateContainerResourcesRequest__Input, callback: grpc.requestCallback<_runtime_v1_UpdateContainerResourcesResponse>): grpc.ClientUnaryCall;
  
  UpdateRuntimeConfig(argument: _runtime_v1_UpdateRuntimeConfigRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_UpdateRuntimeConfigResponse>): grpc.ClientUnaryCall;
  UpdateRuntimeConfig(argument: _runtime_v1_UpdateRuntimeConfigRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_UpdateRuntimeConfigResponse>): grpc.ClientUnaryCall;
  UpdateRuntimeConfig(argument: _runtime_v1_UpdateRuntimeConfigRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_UpdateRuntimeConfigResponse>): grpc.ClientUnaryCall;
  UpdateRuntimeConfig(argument: _runtime_v1_UpdateRuntimeConfigRequest__Input, callback: grpc.requestCallback<_runtime_v1_UpdateRuntimeConfigResponse>): grpc.ClientUnaryCall;
  updateRuntimeConfig(argument: _runtime_v1_UpdateRuntimeConfigRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_UpdateRuntimeConfigResponse>): grpc.ClientUnaryCall;
  updateRuntimeConfig(argument: _runtime_v1_UpdateRuntimeConfigRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_UpdateRuntimeConfigResponse>): grpc.ClientUnaryCall;
  updateRuntimeConfig(argument: _runtime_v1_UpdateRuntimeConfigRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_UpdateRuntimeConfigResponse>): grpc.ClientUnaryCall;
  updateRuntimeConfig(argument: _runtime_v1_UpdateRuntimeConfigRequest__Input, callback: grpc.requestCallback<_runtime_v1_UpdateRuntimeConfigResponse>): grpc.ClientUnaryCall;
  
  Version(argument: _runtime_v1_VersionRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_VersionResponse>): grpc.ClientUnaryCall;
  Version(argument: _runtime_v1_VersionRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_VersionResponse>): grpc.ClientUnaryCall;
  Version(argument: _runtime_v1_VersionRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_VersionResponse>): grpc.ClientUnaryCall;
  Version(argument: _runtime_v1_VersionRequest__Input, callback: grpc.requestCallback<_runtime_v1_VersionResponse>): grpc.ClientUnaryCall;
  version(argument: _runtime_v1_VersionRequest__Input, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_VersionResponse>): grpc.ClientUnaryCall;
  version(argument: _runtime_v1_VersionRequest__Input, metadata: grpc.Metadata, callback: grpc.requestCallback<_runtime_v1_VersionResponse>): grpc.ClientUnaryCall;
  version(argument: _runtime_v1_VersionRequest__Input, options: grpc.CallOptions, callback: grpc.requestCallback<_runtime_v1_VersionResponse>): grpc.ClientUnaryCall;
  version(argument: _runtime_v1_VersionRequest__Input, callback: grpc.requestCallback<_runtime_v1_VersionResponse>): grpc.ClientUnaryCall;
  
}

export interface RuntimeServiceHandlers extends grpc.UntypedServiceImplementation {
  Attach: grpc.handleUnaryCall<_runtime_v1_AttachRequest, _runtime_v1_AttachResponse__Input>;
  
  ContainerStats: grpc.handleUnaryCall<_runtime_v1_ContainerStatsRequest, _runtime_v1_ContainerStatsResponse__Input>;
  
  ContainerStatus: grpc.handleUnaryCall<_runtime_v1_ContainerStatusRequest, _runtime_v1_ContainerStatusResponse__Input>;
  
  CreateContainer: grpc.handleUnaryCall<_runtime_v1_CreateContainerRequest, _runtime_v1_CreateContainerResponse__Input>;
  
  Exec: grpc.handleUnaryCall<_runtime_v1_ExecRequest, _runtime_v1_ExecResponse__Input>;
  
  ExecSync: grpc.handleUnaryCall<_runtime_v1_ExecSyncRequest, _runtime_v1_ExecSyncResponse__Input>;
  
  ListContainerStats: grpc.handleUnaryCall<_runtime_v1_ListContainerStatsRequest, _runtime_v1_ListContainerStatsResponse__Input>;
  
  ListContainers: grpc.handleUnaryCall<_runtime_v1_ListContainersRequest, _runtime_v1_ListContainersResponse__Input>;
  
  ListPodSandbox: grpc.handleUnaryCall<_runtime_v1_ListPodSandboxRequest, _runtime_v1_ListPodSandboxResponse__Input>;
  
  PodSandboxStatus: grpc.handleUnaryCall<_runtime_v1_PodSandboxStatusRequest, _runtime_v1_PodSandboxStatusResponse__Input>;
  
  PortForward: grpc.handleUnaryCall<_runtime_v1_PortForwardRequest, _runtime_v1_PortForwardResponse__Input>;
  
  RemoveContainer: grpc.handleUnaryCall<_runtime_v1_RemoveContainerRequest, _runtime_v1_RemoveContainerResponse__Input>;
  
  RemovePodSandbox: grpc.handleUnaryCall<_runtime_v1_RemovePodSandboxRequest, _runtime_v1_RemovePodSandboxResponse__Input>;
  
  ReopenContainerLog: grpc.handleUnaryCall<_runtime_v1_ReopenContainerLogRequest, _runtime_v1_ReopenContainerLogResponse__Input>;
  
  RunPodSandbox: grpc.handleUnaryCall<_runtime_v1_RunPodSandboxRequest, _runtime_v1_RunPodSandboxResponse__Input>;
  
  StartContainer: grpc.handleUnaryCall<_runtime_v1_StartContainerRequest, _runtime_v1_StartContainerResponse__Input>;
  
  Status: grpc.handleUnaryCall<_runtime_v1_StatusRequest, _runtime_v1_StatusResponse__Input>;
  
  StopContainer: grpc.handleUnaryCall<_runtime_v1_StopContainerRequest, _runtime_v1_StopContainerResponse__Input>;
  
  StopPodSandbox: grpc.handleUnaryCall<_runtime_v1_StopPodSandboxRequest, _runtime_v1_StopPodSandboxResponse__Input>;
  
  UpdateContainerResources: grpc.handleUnaryCall<_runtime_v1_UpdateContainerResourcesRequest, _runtime_v1_UpdateContainerResourcesResponse__Input>;
  
  UpdateRuntimeConfig: grpc.handleUnaryCall<_runtime_v1_UpdateRuntimeConfigRequest, _runtime_v1_UpdateRuntimeConfigResponse__Input>;
  
  Version: grpc.handleUnaryCall<_runtime_v1_VersionRequest, _runtime_v1_VersionResponse__Input>;
  
}

export interface RuntimeServiceDefinition extends grpc.ServiceDefinition {
  Attach: MethodDefinition<_runtime_v1_AttachRequest__Input, _runtime_v1_AttachResponse__Input, _runtime_v1_AttachRequest, _runtime_v1_AttachResponse>
  ContainerStats: MethodDefinition<_runtime_v1_ContainerStatsRequest__Input, _runtime_v1_ContainerStatsResponse__Input, _runtime_v1_ContainerStatsRequest, _runtime_v1_ContainerStatsResponse>
  ContainerStatus: MethodDefinition<_runtime_v1_ContainerStatusRequest__Input, _runtime_v1_ContainerStatusResponse__Input, _runtime_v1_ContainerStatusRequest, _runtime_v1_ContainerStatusResponse>
  CreateContainer: MethodDefinition<_runtime_v1_CreateContainerRequest__Input, _runtime_v1_CreateContainerResponse__Input, _runtime_v1_CreateContainerRequest, _runtime_v1_CreateContainerResponse>
  Exec: MethodDefinition<_runtime_v1_ExecRequest__Input, _runtime_v1_ExecResponse__Input, _runtime_v1_ExecRequest, _runtime_v1_ExecResponse>
  ExecSync: MethodDefinition<_runtime_v1_ExecSyncRequest__Input, _runtime_v1_ExecSyncResponse__Input, _runtime_v1_ExecSyncRequest, _runtime_v1_ExecSyncResponse>
  ListContainerStats: MethodDefinition<_runtime_v1_ListContainerStatsRequest__Input, _runtime_v1_ListContainerStatsResponse__Input, _runtime_v1_ListContainerStatsRequest, _runtime_v1_ListContainerStatsResponse>
  ListContainers: MethodDefinition<_runtime_v1_ListContainersRequest__Input, _runtime_v1_ListContainersResponse__Input, _runtime_v1_ListContainersRequest, _runtime_v1_ListContainersResponse>
  ListPodSandbox: MethodDefinition<_runtime_v1_ListPodSandboxRequest__Input, _runtime_v1_ListPodSandboxResponse__Input, _runtime_v1_ListPodSandboxRequest, _runtime_v1_ListPodSandboxResponse>
  PodSandboxStatus: MethodDefinition<_runtime_v1_PodSandboxStatusRequest__Input, _runtime_v1_PodSandboxStatusResponse__Input, _runtime_v1_PodSandboxStatusRequest, _runtime_v1_PodSandboxStatusResponse>
  PortForward: MethodDefinition<_runtime_v1_PortForwardRequest__Input, _runtime_v1_PortForwardResponse__Input, _runtime_v1_PortForwardRequest, _runtime_v1_PortForwardResponse>
  RemoveContainer: MethodDefinition<_runtime_v1_RemoveContainerRequest__Input, _runtime_v1_RemoveContainerResponse__Input, _runtime_v1_RemoveContainerRequest, _runtime_v1_RemoveContainerResponse>
  RemovePodSandbox: MethodDefinition<_runtime_v1_RemovePodSandboxRequest__Input, _runtime_v1_RemovePodSandboxResponse__Input, _runtime_v1_RemovePodSandboxRequest, _runtime_v1_RemovePodSandboxResponse>
  ReopenContainerLog: MethodDefinition<_runtime_v1_ReopenContainerLogRequest__Input, _runtime_v1_ReopenContainerLogResponse__Input, _runtime_v1_ReopenContainerLogRequest, _runtime_v1_ReopenContainerLogResponse>
  RunPodSandbox: MethodDefinition<_runtime_v1_RunPodSandboxRequest__Input, _runtime_v1_RunPodSandboxResponse__Input, _runtime_v1_RunPodSandboxRequest, _runtime_v1_RunPodSandboxResponse>
  StartContainer: MethodDefinition<_runtime_v1_StartContainerRequest__Input, _runtime_v1_StartContainerResponse__Input, _runtime_v1_StartContainerRequest, _runtime_v1_StartContainerResponse>
  Status: MethodDefinition<_runtime_v1_StatusRequest__Input, _runtime_v1_StatusResponse__Input, _runtime_v1_StatusRequest, _runtime_v1_StatusResponse>
  StopContainer: MethodDefinition<_runtime_v1_StopContainerRequest__Input, _runtime_v1_StopContainerResponse__Input, _runtime_v1_StopContainerRequest, _runtime_v1_StopContainerResponse>
  StopPodSandbox: MethodDefinition<_runtime_v1_StopPodSandboxRequest__Input, _runtime_v1_StopPodSandboxResponse__Input, _runtime_v1_StopPodSandboxRequest, _runtime_v1_StopPodSandboxResponse>
  UpdateContainerResources: MethodDefinition<_runtime_v1_UpdateContainerResourcesRequest__Input, _runtime_v1_UpdateContainerResourcesResponse__Input, _runtime_v1_UpdateContainerResourcesRequest, _runtime_v1_UpdateContainerResourcesResponse>
  UpdateRuntimeConfig: MethodDefinition<_runtime_v1_UpdateRuntimeConfigRequest__Input, _runtime_v1_UpdateRuntimeConfigResponse__Input, _runtime_v1_UpdateRuntimeConfigRequest, _runtime_v1_UpdateRuntimeConfigResponse>
  Version: MethodDefinition<_runtime_v1_VersionRequest__Input, _runtime_v1_VersionResponse__Input, _runtime_v1_VersionRequest, _runtime_v1_VersionResponse>
}
