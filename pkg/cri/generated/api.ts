import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AttachRequest__Input as _runtime_v1_AttachRequest__Input, AttachRequest as _runtime_v1_AttachRequest } from './runtime/v1/AttachRequest.js';
import type { AttachResponse__Input as _runtime_v1_AttachResponse__Input, AttachResponse as _runtime_v1_AttachResponse } from './runtime/v1/AttachResponse.js';
import type { AuthConfig__Input as _runtime_v1_AuthConfig__Input, AuthConfig as _runtime_v1_AuthConfig } from './runtime/v1/AuthConfig.js';
import type { Capability__Input as _runtime_v1_Capability__Input, Capability as _runtime_v1_Capability } from './runtime/v1/Capability.js';
import type { Container__Input as _runtime_v1_Container__Input, Container as _runtime_v1_Container } from './runtime/v1/Container.js';
import type { ContainerAttributes__Input as _runtime_v1_ContainerAttributes__Input, ContainerAttributes as _runtime_v1_ContainerAttributes } from './runtime/v1/ContainerAttributes.js';
import type { ContainerConfig__Input as _runtime_v1_ContainerConfig__Input, ContainerConfig as _runtime_v1_ContainerConfig } from './runtime/v1/ContainerConfig.js';
import type { ContainerFilter__Input as _runtime_v1_ContainerFilter__Input, ContainerFilter as _runtime_v1_ContainerFilter } from './runtime/v1/ContainerFilter.js';
import type { ContainerMetadata__Input as _runtime_v1_ContainerMetadata__Input, ContainerMetadata as _runtime_v1_ContainerMetadata } from './runtime/v1/ContainerMetadata.js';
import type { ContainerResources__Input as _runtime_v1_ContainerResources__Input, ContainerResources as _runtime_v1_ContainerResources } from './runtime/v1/ContainerResources.js';
import type { ContainerStateValue__Input as _runtime_v1_ContainerStateValue__Input, ContainerStateValue as _runtime_v1_ContainerStateValue } from './runtime/v1/ContainerStateValue.js';
import type { ContainerStats__Input as _runtime_v1_ContainerStats__Input, ContainerStats as _runtime_v1_ContainerStats } from './runtime/v1/ContainerStats.js';
import type { ContainerStatsFilter__Input as _runtime_v1_ContainerStatsFilter__Input, ContainerStatsFilter as _runtime_v1_ContainerStatsFilter } from './runtime/v1/ContainerStatsFilter.js';
import type { ContainerStatsRequest__Input as _runtime_v1_ContainerStatsRequest__Input, ContainerStatsRequest as _runtime_v1_ContainerStatsRequest } from './runtime/v1/ContainerStatsRequest.js';
import type { ContainerStatsResponse__Input as _runtime_v1_ContainerStatsResponse__Input, ContainerStatsResponse as _runtime_v1_ContainerStatsResponse } from './runtime/v1/ContainerStatsResponse.js';
import type { ContainerStatus__Input as _runtime_v1_ContainerStatus__Input, ContainerStatus as _runtime_v1_ContainerStatus } from './runtime/v1/ContainerStatus.js';
import type { ContainerStatusRequest__Input as _runtime_v1_ContainerStatusRequest__Input, ContainerStatusRequest as _runtime_v1_ContainerStatusRequest } from './runtime/v1/ContainerStatusRequest.js';
import type { ContainerStatusResponse__Input as _runtime_v1_ContainerStatusResponse__Input, ContainerStatusResponse as _runtime_v1_ContainerStatusResponse } from './runtime/v1/ContainerStatusResponse.js';
import type { CpuUsage__Input as _runtime_v1_CpuUsage__Input, CpuUsage as _runtime_v1_CpuUsage } from './runtime/v1/CpuUsage.js';
import type { CreateContainerRequest__Input as _runtime_v1_CreateContainerRequest__Input, CreateContainerRequest as _runtime_v1_CreateContainerRequest } from './runtime/v1/CreateContainerRequest.js';
import type { CreateContainerResponse__Input as _runtime_v1_CreateContainerResponse__Input, CreateContainerResponse as _runtime_v1_CreateContainerResponse } from './runtime/v1/CreateContainerResponse.js';
import type { DNSConfig__Input as _runtime_v1_DNSConfig__Input, DNSConfig as _runtime_v1_DNSConfig } from './runtime/v1/DNSConfig.js';
import type { Device__Input as _runtime_v1_Device__Input, Device as _runtime_v1_Device } from './runtime/v1/Device.js';
import type { ExecRequest__Input as _runtime_v1_ExecRequest__Input, ExecRequest as _runtime_v1_ExecRequest } from './runtime/v1/ExecRequest.js';
import type { ExecResponse__Input as _runtime_v1_ExecResponse__Input, ExecResponse as _runtime_v1_ExecResponse } from './runtime/v1/ExecResponse.js';
import type { ExecSyncRequest__Input as _runtime_v1_ExecSyncRequest__Input, ExecSyncRequest as _runtime_v1_ExecSyncRequest } from './runtime/v1/ExecSyncRequest.js';
import type { ExecSyncResponse__Input as _runtime_v1_ExecSyncResponse__Input, ExecSyncResponse as _runtime_v1_ExecSyncResponse } from './runtime/v1/ExecSyncResponse.js';
import type { FilesystemIdentifier__Input as _runtime_v1_FilesystemIdentifier__Input, FilesystemIdentifier as _runtime_v1_FilesystemIdentifier } from './runtime/v1/FilesystemIdentifier.js';
import type { FilesystemUsage__Input as _runtime_v1_FilesystemUsage__Input, FilesystemUsage as _runtime_v1_FilesystemUsage } from './runtime/v1/FilesystemUsage.js';
import type { HugepageLimit__Input as _runtime_v1_HugepageLimit__Input, HugepageLimit as _runtime_v1_HugepageLimit } from './runtime/v1/HugepageLimit.js';
import type { IDMapping__Input as _runtime_v1_IDMapping__Input, IDMapping as _runtime_v1_IDMapping } from './runtime/v1/IDMapping.js';
import type { Image__Input as _runtime_v1_Image__Input, Image as _runtime_v1_Image } from './runtime/v1/Image.js';
import type { ImageFilter__Input as _runtime_v1_ImageFilter__Input, ImageFilter as _runtime_v1_ImageFilter } from './runtime/v1/ImageFilter.js';
import type { ImageFsInfoRequest__Input as _runtime_v1_ImageFsInfoRequest__Input, ImageFsInfoRequest as _runtime_v1_ImageFsInfoRequest } from './runtime/v1/ImageFsInfoRequest.js';
import type { ImageFsInfoResponse__Input as _runtime_v1_ImageFsInfoResponse__Input, ImageFsInfoResponse as _runtime_v1_ImageFsInfoResponse } from './runtime/v1/ImageFsInfoResponse.js';
import type { ImageServiceClient as _runtime_v1_ImageServiceClient, ImageServiceDefinition as _runtime_v1_ImageServiceDefinition } from './runtime/v1/ImageService.js';
import type { ImageSpec__Input as _runtime_v1_ImageSpec__Input, ImageSpec as _runtime_v1_ImageSpec } from './runtime/v1/ImageSpec.js';
import type { ImageStatusRequest__Input as _runtime_v1_ImageStatusRequest__Input, ImageStatusRequest as _runtime_v1_ImageStatusRequest } from './runtime/v1/ImageStatusRequest.js';
import type { ImageStatusResponse__Input as _runtime_v1_ImageStatusResponse__Input, ImageStatusResponse as _runtime_v1_ImageStatusResponse } from './runtime/v1/ImageStatusResponse.js';
import type { Int64Value__Input as _runtime_v1_Int64Value__Input, Int64Value as _runtime_v1_Int64Value } from './runtime/v1/Int64Value.js';
import type { KeyValue__Input as _runtime_v1_KeyValue__Input, KeyValue as _runtime_v1_KeyValue } from './runtime/v1/KeyValue.js';
import type { LinuxContainerConfig__Input as _runtime_v1_LinuxContainerConfig__Input, LinuxContainerConfig as _runtime_v1_LinuxContainerConfig } from './runtime/v1/LinuxContainerConfig.js';
import type { LinuxContainerResources__Input as _runtime_v1_LinuxContainerResources__Input, LinuxContainerResources as _runtime_v1_LinuxContainerResources } from './runtime/v1/LinuxContainerResources.js';
import type { LinuxContainerSecurityContext__Input as _runtime_v1_LinuxContainerSecurityContext__Input, LinuxContainerSecurityContext as _runtime_v1_LinuxContainerSecurityContext } from './runtime/v1/LinuxContainerSecurityContext.js';
import type { LinuxPodSandboxConfig__Input as _runtime_v1_LinuxPodSandboxConfig__Input, LinuxPodSandboxConfig as _runtime_v1_LinuxPodSandboxConfig } from './runtime/v1/LinuxPodSandboxConfig.js';
import type { LinuxPodSandboxStatus__Input as _runtime_v1_LinuxPodSandboxStatus__Input, LinuxPodSandboxStatus as _runtime_v1_LinuxPodSandboxStatus } from './runtime/v1/LinuxPodSandboxStatus.js';
import type { LinuxSandboxSecurityContext__Input as _runtime_v1_LinuxSandboxSecurityContext__Input, LinuxSandboxSecurityContext as _runtime_v1_LinuxSandboxSecurityContext } from './runtime/v1/LinuxSandboxSecurityContext.js';
import type { ListContainerStatsRequest__Input as _runtime_v1_ListContainerStatsRequest__Input, ListContainerStatsRequest as _runtime_v1_ListContainerStatsRequest } from './runtime/v1/ListContainerStatsRequest.js';
import type { ListContainerStatsResponse__Input as _runtime_v1_ListContainerStatsResponse__Input, ListContainerStatsResponse as _runtime_v1_ListContainerStatsResponse } from './runtime/v1/ListContainerStatsResponse.js';
import type { ListContainersRequest__Input as _runtime_v1_ListContainersRequest__Input, ListContainersRequest as _runtime_v1_ListContainersRequest } from './runtime/v1/ListContainersRequest.js';
import type { ListContainersResponse__Input as _runtime_v1_ListContainersResponse__Input, ListContainersResponse as _runtime_v1_ListContainersResponse } from './runtime/v1/ListContainersResponse.js';
import type { ListImagesRequest__Input as _runtime_v1_ListImagesRequest__Input, ListImagesRequest as _runtime_v1_ListImagesRequest } from './runtime/v1/ListImagesRequest.js';
import type { ListImagesResponse__Input as _runtime_v1_ListImagesResponse__Input, ListImagesResponse as _runtime_v1_ListImagesResponse } from './runtime/v1/ListImagesResponse.js';
import type { ListPodSandboxRequest__Input as _runtime_v1_ListPodSandboxRequest__Input, ListPodSandboxRequest as _runtime_v1_ListPodSandboxRequest } from './runtime/v1/ListPodSandboxRequest.js';
import type { ListPodSandboxResponse__Input as _runtime_v1_ListPodSandboxResponse__Input, ListPodSandboxResponse as _runtime_v1_ListPodSandboxResponse } from './runtime/v1/ListPodSandboxResponse.js';
import type { MemoryUsage__Input as _runtime_v1_MemoryUsage__Input, MemoryUsage as _runtime_v1_MemoryUsage } from './runtime/v1/MemoryUsage.js';
import type { Mount__Input as _runtime_v1_Mount__Input, Mount as _runtime_v1_Mount } from './runtime/v1/Mount.js';
import type { Namespace__Input as _runtime_v1_Namespace__Input, Namespace as _runtime_v1_Namespace } from './runtime/v1/Namespace.js';
import type { NamespaceOption__Input as _runtime_v1_NamespaceOption__Input, NamespaceOption as _runtime_v1_NamespaceOption } from './runtime/v1/NamespaceOption.js';
import type { NetworkConfig__Input as _runtime_v1_NetworkConfig__Input, NetworkConfig as _runtime_v1_NetworkConfig } from './runtime/v1/NetworkConfig.js';
import type { PodIP__Input as _runtime_v1_PodIP__Input, PodIP as _runtime_v1_PodIP } from './runtime/v1/PodIP.js';
import type { PodSandbox__Input as _runtime_v1_PodSandbox__Input, PodSandbox as _runtime_v1_PodSandbox } from './runtime/v1/PodSandbox.js';
import type { PodSandboxConfig__Input as _runtime_v1_PodSandboxConfig__Input, PodSandboxConfig as _runtime_v1_PodSandboxConfig } from './runtime/v1/PodSandboxConfig.js';
import type { PodSandboxFilter__Input as _runtime_v1_PodSandboxFilter__Input, PodSandboxFilter as _runtime_v1_PodSandboxFilter } from './runtime/v1/PodSandboxFilter.js';
import type { PodSandboxMetadata__Input as _runtime_v1_PodSandboxMetadata__Input, PodSandboxMetadata as _runtime_v1_PodSandboxMetadata } from './runtime/v1/PodSandboxMetadata.js';
import type { PodSandboxNetworkStatus__Input as _runtime_v1_PodSandboxNetworkStatus__Input, PodSandboxNetworkStatus as _runtime_v1_PodSandboxNetworkStatus } from './runtime/v1/PodSandboxNetworkStatus.js';
import type { PodSandboxStateValue__Input as _runtime_v1_PodSandboxStateValue__Input, PodSandboxStateValue as _runtime_v1_PodSandboxStateValue } from './runtime/v1/PodSandboxStateValue.js';
import type { PodSandboxStatus__Input as _runtime_v1_PodSandboxStatus__Input, PodSandboxStatus as _runtime_v1_PodSandboxStatus } from './runtime/v1/PodSandboxStatus.js';
import type { PodSandboxStatusRequest__Input as _runtime_v1_PodSandboxStatusRequest__Input, PodSandboxStatusRequest as _runtime_v1_PodSandboxStatusRequest } from './runtime/v1/PodSandboxStatusRequest.js';
import type { PodSandboxStatusResponse__Input as _runtime_v1_PodSandboxStatusResponse__Input, PodSandboxStatusResponse as _runtime_v1_PodSandboxStatusResponse } from './runtime/v1/PodSandboxStatusResponse.js';
import type { PortForwardRequest__Input as _runtime_v1_PortForwardRequest__Input, PortForwardRequest as _runtime_v1_PortForwardRequest } from './runtime/v1/PortForwardRequest.js';
import type { PortForwardResponse__Input as _runtime_v1_PortForwardResponse__Input, PortForwardResponse as _runtime_v1_PortForwardResponse } from './runtime/v1/PortForwardResponse.js';
import type { PortMapping__Input as _runtime_v1_PortMapping__Input, PortMapping as _runtime_v1_PortMapping } from './runtime/v1/PortMapping.js';
import type { PullImageRequest__Input as _runtime_v1_PullImageRequest__Input, PullImageRequest as _runtime_v1_PullImageRequest } from './runtime/v1/PullImageRequest.js';
import type { PullImageResponse__Input as _runtime_v1_PullImageResponse__Input, PullImageResponse as _runtime_v1_PullImageResponse } from './runtime/v1/PullImageResponse.js';
import type { RemoveContainerRequest__Input as _runtime_v1_RemoveContainerRequest__Input, RemoveContainerRequest as _runtime_v1_RemoveContainerRequest } from './runtime/v1/RemoveContainerRequest.js';
import type { RemoveContainerResponse__Input as _runtime_v1_RemoveContainerResponse__Input, RemoveContainerResponse as _runtime_v1_RemoveContainerResponse } from './runtime/v1/RemoveContainerResponse.js';
import type { RemoveImageRequest__Input as _runtime_v1_RemoveImageRequest__Input, RemoveImageRequest as _runtime_v1_RemoveImageRequest } from './runtime/v1/RemoveImageRequest.js';
import type { RemoveImageResponse__Input as _runtime_v1_RemoveImageResponse__Input, RemoveImageResponse as _runtime_v1_RemoveImageResponse } from './runtime/v1/RemoveImageResponse.js';
import type { RemovePodSandboxRequest__Input as _runtime_v1_RemovePodSandboxRequest__Input, RemovePodSandboxRequest as _runtime_v1_RemovePodSandboxRequest } from './runtime/v1/RemovePodSandboxRequest.js';
import type { RemovePodSandboxResponse__Input as _runtime_v1_RemovePodSandboxResponse__Input, RemovePodSandboxResponse as _runtime_v1_RemovePodSandboxResponse } from './runtime/v1/RemovePodSandboxResponse.js';
import type { ReopenContainerLogRequest__Input as _runtime_v1_ReopenContainerLogRequest__Input, ReopenContainerLogRequest as _runtime_v1_ReopenContainerLogRequest } from './runtime/v1/ReopenContainerLogRequest.js';
import type { ReopenContainerLogResponse__Input as _runtime_v1_ReopenContainerLogResponse__Input, ReopenContainerLogResponse as _runtime_v1_ReopenContainerLogResponse } from './runtime/v1/ReopenContainerLogResponse.js';
import type { RunPodSandboxRequest__Input as _runtime_v1_RunPodSandboxRequest__Input, RunPodSandboxRequest as _runtime_v1_RunPodSandboxRequest } from './runtime/v1/RunPodSandboxRequest.js';
import type { RunPodSandboxResponse__Input as _runtime_v1_RunPodSandboxResponse__Input, RunPodSandboxResponse as _runtime_v1_RunPodSandboxResponse } from './runtime/v1/RunPodSandboxResponse.js';
import type { RuntimeCondition__Input as _runtime_v1_RuntimeCondition__Input, RuntimeCondition as _runtime_v1_RuntimeCondition } from './runtime/v1/RuntimeCondition.js';
import type { RuntimeConfig__Input as _runtime_v1_RuntimeConfig__Input, RuntimeConfig as _runtime_v1_RuntimeConfig } from './runtime/v1/RuntimeConfig.js';
import type { RuntimeHandler__Input as _runtime_v1_RuntimeHandler__Input, RuntimeHandler as _runtime_v1_RuntimeHandler } from './runtime/v1/RuntimeHandler.js';
import type { RuntimeHandlerFeatures__Input as _runtime_v1_RuntimeHandlerFeatures__Input, RuntimeHandlerFeatures as _runtime_v1_RuntimeHandlerFeatures } from './runtime/v1/RuntimeHandlerFeatures.js';
import type { RuntimeServiceClient as _runtime_v1_RuntimeServiceClient, RuntimeServiceDefinition as _runtime_v1_RuntimeServiceDefinition } from './runtime/v1/RuntimeService.js';
import type { RuntimeStatus__Input as _runtime_v1_RuntimeStatus__Input, RuntimeStatus as _runtime_v1_RuntimeStatus } from './runtime/v1/RuntimeStatus.js';
import type { SELinuxOption__Input as _runtime_v1_SELinuxOption__Input, SELinuxOption as _runtime_v1_SELinuxOption } from './runtime/v1/SELinuxOption.js';
import type { SecurityProfile__Input as _runtime_v1_SecurityProfile__Input, SecurityProfile as _runtime_v1_SecurityProfile } from './runtime/v1/SecurityProfile.js';
import type { StartContainerRequest__Input as _runtime_v1_StartContainerRequest__Input, StartContainerRequest as _runtime_v1_StartContainerRequest } from './runtime/v1/StartContainerRequest.js';
import type { StartContainerResponse__Input as _runtime_v1_StartContainerResponse__Input, StartContainerResponse as _runtime_v1_StartContainerResponse } from './runtime/v1/StartContainerResponse.js';
import type { StatusRequest__Input as _runtime_v1_StatusRequest__Input, StatusRequest as _runtime_v1_StatusRequest } from './runtime/v1/StatusRequest.js';
import type { StatusResponse__Input as _runtime_v1_StatusResponse__Input, StatusResponse as _runtime_v1_StatusResponse } from './runtime/v1/StatusResponse.js';
import type { StopContainerRequest__Input as _runtime_v1_StopContainerRequest__Input, StopContainerRequest as _runtime_v1_StopContainerRequest } from './runtime/v1/StopContainerRequest.js';
import type { StopContainerResponse__Input as _runtime_v1_StopContainerResponse__Input, StopContainerResponse as _runtime_v1_StopContainerResponse } from './runtime/v1/StopContainerResponse.js';
import type { StopPodSandboxRequest__Input as _runtime_v1_StopPodSandboxRequest__Input, StopPodSandboxRequest as _runtime_v1_StopPodSandboxRequest } from './runtime/v1/StopPodSandboxRequest.js';
import type { StopPodSandboxResponse__Input as _runtime_v1_StopPodSandboxResponse__Input, StopPodSandboxResponse as _runtime_v1_StopPodSandboxResponse } from './runtime/v1/StopPodSandboxResponse.js';
import type { SwapUsage__Input as _runtime_v1_SwapUsage__Input, SwapUsage as _runtime_v1_SwapUsage } from './runtime/v1/SwapUsage.js';
import type { UInt64Value__Input as _runtime_v1_UInt64Value__Input, UInt64Value as _runtime_v1_UInt64Value } from './runtime/v1/UInt64Value.js';
import type { UpdateContainerResourcesRequest__Input as _runtime_v1_UpdateContainerResourcesRequest__Input, UpdateContainerResourcesRequest as _runtime_v1_UpdateContainerResourcesRequest } from './runtime/v1/UpdateContainerResourcesRequest.js';
import type { UpdateContainerResourcesResponse__Input as _runtime_v1_UpdateContainerResourcesResponse__Input, UpdateContainerResourcesResponse as _runtime_v1_UpdateContainerResourcesResponse } from './runtime/v1/UpdateContainerResourcesResponse.js';
import type { UpdateRuntimeConfigRequest__Input as _runtime_v1_UpdateRuntimeConfigRequest__Input, UpdateRuntimeConfigRequest as _runtime_v1_UpdateRuntimeConfigRequest } from './runtime/v1/UpdateRuntimeConfigRequest.js';
import type { UpdateRuntimeConfigResponse__Input as _runtime_v1_UpdateRuntimeConfigResponse__Input, UpdateRuntimeConfigResponse as _runtime_v1_UpdateRuntimeConfigResponse } from './runtime/v1/UpdateRuntimeConfigResponse.js';
import type { UserNamespace__Input as _runtime_v1_UserNamespace__Input, UserNamespace as _runtime_v1_UserNamespace } from './runtime/v1/UserNamespace.js';
import type { VersionRequest__Input as _runtime_v1_VersionRequest__Input, VersionRequest as _runtime_v1_VersionRequest } from './runtime/v1/VersionRequest.js';
import type { VersionResponse__Input as _runtime_v1_VersionResponse__Input, VersionResponse as _runtime_v1_VersionResponse } from './runtime/v1/VersionResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  runtime: {
    v1: {
      AttachRequest: MessageTypeDefinition<_runtime_v1_AttachRequest__Input, _runtime_v1_AttachRequest>
      AttachResponse: MessageTypeDefinition<_runtime_v1_AttachResponse__Input, _runtime_v1_AttachResponse>
      AuthConfig: MessageTypeDefinition<_runtime_v1_AuthConfig__Input, _runtime_v1_AuthConfig>
      Capability: MessageTypeDefinition<_runtime_v1_Capability__Input, _runtime_v1_Capability>
      Container: MessageTypeDefinition<_runtime_v1_Container__Input, _runtime_v1_Container>
      ContainerAttributes: MessageTypeDefinition<_runtime_v1_ContainerAttributes__Input, _runtime_v1_ContainerAttributes>
      ContainerConfig: MessageTypeDefinition<_runtime_v1_ContainerConfig__Input, _runtime_v1_ContainerConfig>
      ContainerFilter: MessageTypeDefinition<_runtime_v1_ContainerFilter__Input, _runtime_v1_ContainerFilter>
      ContainerMetadata: MessageTypeDefinition<_runtime_v1_ContainerMetadata__Input, _runtime_v1_ContainerMetadata>
      ContainerResources: MessageTypeDefinition<_runtime_v1_ContainerResources__Input, _runtime_v1_ContainerResources>
      ContainerState: EnumTypeDefinition
      ContainerStateValue: MessageTypeDefinition<_runtime_v1_ContainerStateValue__Input, _runtime_v1_ContainerStateValue>
      ContainerStats: MessageTypeDefinition<_runtime_v1_ContainerStats__Input, _runtime_v1_ContainerStats>
      ContainerStatsFilter: MessageTypeDefinition<_runtime_v1_ContainerStatsFilter__Input, _runtime_v1_ContainerStatsFilter>
      ContainerStatsRequest: MessageTypeDefinition<_runtime_v1_ContainerStatsRequest__Input, _runtime_v1_ContainerStatsRequest>
      ContainerStatsResponse: MessageTypeDefinition<_runtime_v1_ContainerStatsResponse__Input, _runtime_v1_ContainerStatsResponse>
      ContainerStatus: MessageTypeDefinition<_runtime_v1_ContainerStatus__Input, _runtime_v1_ContainerStatus>
      ContainerStatusRequest: MessageTypeDefinition<_runtime_v1_ContainerStatusRequest__Input, _runtime_v1_ContainerStatusRequest>
      ContainerStatusResponse: MessageTypeDefinition<_runtime_v1_ContainerStatusResponse__Input, _runtime_v1_ContainerStatusResponse>
      CpuUsage: MessageTypeDefinition<_runtime_v1_CpuUsage__Input, _runtime_v1_CpuUsage>
      CreateContainerRequest: MessageTypeDefinition<_runtime_v1_CreateContainerRequest__Input, _runtime_v1_CreateContainerRequest>
      CreateContainerResponse: MessageTypeDefinition<_runtime_v1_CreateContainerResponse__Input, _runtime_v1_CreateContainerResponse>
      DNSConfig: MessageTypeDefinition<_runtime_v1_DNSConfig__Input, _runtime_v1_DNSConfig>
      Device: MessageTypeDefinition<_runtime_v1_Device__Input, _runtime_v1_Device>
      ExecRequest: MessageTypeDefinition<_runtime_v1_ExecRequest__Input, _runtime_v1_ExecRequest>
      ExecResponse: MessageTypeDefinition<_runtime_v1_ExecResponse__Input, _runtime_v1_ExecResponse>
      ExecSyncRequest: MessageTypeDefinition<_runtime_v1_ExecSyncRequest__Input, _runtime_v1_ExecSyncRequest>
      ExecSyncResponse: MessageTypeDefinition<_runtime_v1_ExecSyncResponse__Input, _runtime_v1_ExecSyncResponse>
      FilesystemIdentifier: MessageTypeDefinition<_runtime_v1_FilesystemIdentifier__Input, _runtime_v1_FilesystemIdentifier>
      FilesystemUsage: MessageTypeDefinition<_runtime_v1_FilesystemUsage__Input, _runtime_v1_FilesystemUsage>
      HugepageLimit: MessageTypeDefinition<_runtime_v1_HugepageLimit__Input, _runtime_v1_HugepageLimit>
      IDMapping: MessageTypeDefinition<_runtime_v1_IDMapping__Input, _runtime_v1_IDMapping>
      Image: MessageTypeDefinition<_runtime_v1_Image__Input, _runtime_v1_Image>
      ImageFilter: MessageTypeDefinition<_runtime_v1_ImageFilter__Input, _runtime_v1_ImageFilter>
      ImageFsInfoRequest: MessageTypeDefinition<_runtime_v1_ImageFsInfoRequest__Input, _runtime_v1_ImageFsInfoRequest>
      ImageFsInfoResponse: MessageTypeDefinition<_runtime_v1_ImageFsInfoResponse__Input, _runtime_v1_ImageFsInfoResponse>
      ImageService: SubtypeConstructor<typeof grpc.Client, _runtime_v1_ImageServiceClient> & { service: _runtime_v1_ImageServiceDefinition }
      ImageSpec: MessageTypeDefinition<_runtime_v1_ImageSpec__Input, _runtime_v1_ImageSpec>
      ImageStatusRequest: MessageTypeDefinition<_runtime_v1_ImageStatusRequest__Input, _runtime_v1_ImageStatusRequest>
      ImageStatusResponse: MessageTypeDefinition<_runtime_v1_ImageStatusResponse__Input, _runtime_v1_ImageStatusResponse>
      Int64Value: MessageTypeDefinition<_runtime_v1_Int64Value__Input, _runtime_v1_Int64Value>
      KeyValue: MessageTypeDefinition<_runtime_v1_KeyValue__Input, _runtime_v1_KeyValue>
      LinuxContainerConfig: MessageTypeDefinition<_runtime_v1_LinuxContainerConfig__Input, _runtime_v1_LinuxContainerConfig>
      LinuxContainerResources: MessageTypeDefinition<_runtime_v1_LinuxContainerResources__Input, _runtime_v1_LinuxContainerResources>
      LinuxContainerSecurityContext: MessageTypeDefinition<_runtime_v1_LinuxContainerSecurityContext__Input, _runtime_v1_LinuxContainerSecurityContext>
      LinuxPodSandboxConfig: MessageTypeDefinition<_runtime_v1_LinuxPodSandboxConfig__Input, _runtime_v1_LinuxPodSandboxConfig>
      LinuxPodSandboxStatus: MessageTypeDefinition<_runtime_v1_LinuxPodSandboxStatus__Input, _runtime_v1_LinuxPodSandboxStatus>
      LinuxSandboxSecurityContext: MessageTypeDefinition<_runtime_v1_LinuxSandboxSecurityContext__Input, _runtime_v1_LinuxSandboxSecurityContext>
      ListContainerStatsRequest: MessageTypeDefinition<_runtime_v1_ListContainerStatsRequest__Input, _runtime_v1_ListContainerStatsRequest>
      ListContainerStatsResponse: MessageTypeDefinition<_runtime_v1_ListContainerStatsResponse__Input, _runtime_v1_ListContainerStatsResponse>
      ListContainersRequest: MessageTypeDefinition<_runtime_v1_ListContainersRequest__Input, _runtime_v1_ListContainersRequest>
      ListContainersResponse: MessageTypeDefinition<_runtime_v1_ListContainersResponse__Input, _runtime_v1_ListContainersResponse>
      ListImagesRequest: MessageTypeDefinition<_runtime_v1_ListImagesRequest__Input, _runtime_v1_ListImagesRequest>
      ListImagesResponse: MessageTypeDefinition<_runtime_v1_ListImagesResponse__Input, _runtime_v1_ListImagesResponse>
      ListPodSandboxRequest: MessageTypeDefinition<_runtime_v1_ListPodSandboxRequest__Input, _runtime_v1_ListPodSandboxRequest>
      ListPodSandboxResponse: MessageTypeDefinition<_runtime_v1_ListPodSandboxResponse__Input, _runtime_v1_ListPodSandboxResponse>
      MemoryUsage: MessageTypeDefinition<_runtime_v1_MemoryUsage__Input, _runtime_v1_MemoryUsage>
      Mount: MessageTypeDefinition<_runtime_v1_Mount__Input, _runtime_v1_Mount>
      MountPropagation: EnumTypeDefinition
      Namespace: MessageTypeDefinition<_runtime_v1_Namespace__Input, _runtime_v1_Namespace>
      NamespaceMode: EnumTypeDefinition
      NamespaceOption: MessageTypeDefinition<_runtime_v1_NamespaceOption__Input, _runtime_v1_NamespaceOption>
      NetworkConfig: MessageTypeDefinition<_runtime_v1_NetworkConfig__Input, _runtime_v1_NetworkConfig>
      PodIP: MessageTypeDefinition<_runtime_v1_PodIP__Input, _runtime_v1_PodIP>
      PodSandbox: MessageTypeDefinition<_runtime_v1_PodSandbox__Input, _runtime_v1_PodSandbox>
      PodSandboxConfig: MessageTypeDefinition<_runtime_v1_PodSandboxConfig__Input, _runtime_v1_PodSandboxConfig>
      PodSandboxFilter: MessageTypeDefinition<_runtime_v1_PodSandboxFilter__Input, _runtime_v1_PodSandboxFilter>
      PodSandboxMetadata: MessageTypeDefinition<_runtime_v1_PodSandboxMetadata__Input, _runtime_v1_PodSandboxMetadata>
      PodSandboxNetworkStatus: MessageTypeDefinition<_runtime_v1_PodSandboxNetworkStatus__Input, _runtime_v1_PodSandboxNetworkStatus>
      PodSandboxState: EnumTypeDefinition
      PodSandboxStateValue: MessageTypeDefinition<_runtime_v1_PodSandboxStateValue__Input, _runtime_v1_PodSandboxStateValue>
      PodSandboxStatus: MessageTypeDefinition<_runtime_v1_PodSandboxStatus__Input, _runtime_v1_PodSandboxStatus>
      PodSandboxStatusRequest: MessageTypeDefinition<_runtime_v1_PodSandboxStatusRequest__Input, _runtime_v1_PodSandboxStatusRequest>
      PodSandboxStatusResponse: MessageTypeDefinition<_runtime_v1_PodSandboxStatusResponse__Input, _runtime_v1_PodSandboxStatusResponse>
      PortForwardRequest: MessageTypeDefinition<_runtime_v1_PortForwardRequest__Input, _runtime_v1_PortForwardRequest>
      PortForwardResponse: MessageTypeDefinition<_runtime_v1_PortForwardResponse__Input, _runtime_v1_PortForwardResponse>
      PortMapping: MessageTypeDefinition<_runtime_v1_PortMapping__Input, _runtime_v1_PortMapping>
      Protocol: EnumTypeDefinition
      PullImageRequest: MessageTypeDefinition<_runtime_v1_PullImageRequest__Input, _runtime_v1_PullImageRequest>
      PullImageResponse: MessageTypeDefinition<_runtime_v1_PullImageResponse__Input, _runtime_v1_PullImageResponse>
      RemoveContainerRequest: MessageTypeDefinition<_runtime_v1_RemoveContainerRequest__Input, _runtime_v1_RemoveContainerRequest>
      RemoveContainerResponse: MessageTypeDefinition<_runtime_v1_RemoveContainerResponse__Input, _runtime_v1_RemoveContainerResponse>
      RemoveImageRequest: MessageTypeDefinition<_runtime_v1_RemoveImageRequest__Input, _runtime_v1_RemoveImageRequest>
      RemoveImageResponse: MessageTypeDefinition<_runtime_v1_RemoveImageResponse__Input, _runtime_v1_RemoveImageResponse>
      RemovePodSandboxRequest: MessageTypeDefinition<_runtime_v1_RemovePodSandboxRequest__Input, _runtime_v1_RemovePodSandboxRequest>
      RemovePodSandboxResponse: MessageTypeDefinition<_runtime_v1_RemovePodSandboxResponse__Input, _runtime_v1_RemovePodSandboxResponse>
      ReopenContainerLogRequest: MessageTypeDefinition<_runtime_v1_ReopenContainerLogRequest__Input, _runtime_v1_ReopenContainerLogRequest>
      ReopenContainerLogResponse: MessageTypeDefinition<_runtime_v1_ReopenContainerLogResponse__Input, _runtime_v1_ReopenContainerLogResponse>
      RunPodSandboxRequest: MessageTypeDefinition<_runtime_v1_RunPodSandboxRequest__Input, _runtime_v1_RunPodSandboxRequest>
      RunPodSandboxResponse: MessageTypeDefinition<_runtime_v1_RunPodSandboxResponse__Input, _runtime_v1_RunPodSandboxResponse>
      RuntimeCondition: MessageTypeDefinition<_runtime_v1_RuntimeCondition__Input, _runtime_v1_RuntimeCondition>
      RuntimeConfig: MessageTypeDefinition<_runtime_v1_RuntimeConfig__Input, _runtime_v1_RuntimeConfig>
      RuntimeHandler: MessageTypeDefinition<_runtime_v1_RuntimeHandler__Input, _runtime_v1_RuntimeHandler>
      RuntimeHandlerFeatures: MessageTypeDefinition<_runtime_v1_RuntimeHandlerFeatures__Input, _runtime_v1_RuntimeHandlerFeatures>
      RuntimeService: SubtypeConstructor<typeof grpc.Client, _runtime_v1_RuntimeServiceClient> & { service: _runtime_v1_RuntimeServiceDefinition }
      RuntimeStatus: MessageTypeDefinition<_runtime_v1_RuntimeStatus__Input, _runtime_v1_RuntimeStatus>
      SELinuxOption: MessageTypeDefinition<_runtime_v1_SELinuxOption__Input, _runtime_v1_SELinuxOption>
      SecurityProfile: MessageTypeDefinition<_runtime_v1_SecurityProfile__Input, _runtime_v1_SecurityProfile>
      StartContainerRequest: MessageTypeDefinition<_runtime_v1_StartContainerRequest__Input, _runtime_v1_StartContainerRequest>
      StartContainerResponse: MessageTypeDefinition<_runtime_v1_StartContainerResponse__Input, _runtime_v1_StartContainerResponse>
      StatusRequest: MessageTypeDefinition<_runtime_v1_StatusRequest__Input, _runtime_v1_StatusRequest>
      StatusResponse: MessageTypeDefinition<_runtime_v1_StatusResponse__Input, _runtime_v1_StatusResponse>
      StopContainerRequest: MessageTypeDefinition<_runtime_v1_StopContainerRequest__Input, _runtime_v1_StopContainerRequest>
      StopContainerResponse: MessageTypeDefinition<_runtime_v1_StopContainerResponse__Input, _runtime_v1_StopContainerResponse>
      StopPodSandboxRequest: MessageTypeDefinition<_runtime_v1_StopPodSandboxRequest__Input, _runtime_v1_StopPodSandboxRequest>
      StopPodSandboxResponse: MessageTypeDefinition<_runtime_v1_StopPodSandboxResponse__Input, _runtime_v1_StopPodSandboxResponse>
      SwapUsage: MessageTypeDefinition<_runtime_v1_SwapUsage__Input, _runtime_v1_SwapUsage>
      UInt64Value: MessageTypeDefinition<_runtime_v1_UInt64Value__Input, _runtime_v1_UInt64Value>
      UpdateContainerResourcesRequest: MessageTypeDefinition<_runtime_v1_UpdateContainerResourcesRequest__Input, _runtime_v1_UpdateContainerResourcesRequest>
      UpdateContainerResourcesResponse: MessageTypeDefinition<_runtime_v1_UpdateContainerResourcesResponse__Input, _runtime_v1_UpdateContainerResourcesResponse>
      UpdateRuntimeConfigRequest: MessageTypeDefinition<_runtime_v1_UpdateRuntimeConfigRequest__Input, _runtime_v1_UpdateRuntimeConfigRequest>
      UpdateRuntimeConfigResponse: MessageTypeDefinition<_runtime_v1_UpdateRuntimeConfigResponse__Input, _runtime_v1_UpdateRuntimeConfigResponse>
      UserNamespace: MessageTypeDefinition<_runtime_v1_UserNamespace__Input, _runtime_v1_UserNamespace>
      VersionRequest: MessageTypeDefinition<_runtime_v1_VersionRequest__Input, _runtime_v1_VersionRequest>
      VersionResponse: MessageTypeDefinition<_runtime_v1_VersionResponse__Input, _runtime_v1_VersionResponse>
    }
  }
}

