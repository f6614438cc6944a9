import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import {
  buildOpenAPIV2,
  buildOpenAPIV2Protobuf,
  buildOpenAPIV3,
  buildOpenAPIV3Root,
  openAPIV3Document,
  openAPIV3RootDocument,
} from '../../../api/schema/openapi.js';

type Json = Record<string, any>;

test('OpenAPI v2 has apps/v1 Deployment with x-kubernetes-group-version-kind and patch markers', () => {
  const doc = buildOpenAPIV2(BUILTIN_RESOURCES) as Json;
  assert.equal(doc.swagger, '2.0');
  const dep = doc.definitions['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.equal(dep.properties.spec.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  assert.equal(doc.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas.type, 'integer');
  const containers = doc.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers.items.$ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.deepEqual(doc.definitions['io.k8s.api.apps.v1.DeploymentList']['x-kubernetes-group-version-kind'], [
    { group: 'apps', kind: 'DeploymentList', version: 'v1' },
  ]);
  // Every $ref resolves.
  for (const m of JSON.stringify(doc).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) assert.ok(m[1] in doc.definitions, m[1]);
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
});

// The subset of gnostic's openapiv2/OpenAPIv2.proto the encoder writes, to decode its output independently.
const PROTO = `
syntax = "proto3";
package openapi.v2;
message Document { string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9; }
message Info { string title = 1; string version = 2; }
message Paths { repeated NamedPathItem path = 2; }
message NamedPathItem { string name = 1; PathItem value = 2; }
message PathItem { Operation get = 2; Operation patch = 8; repeated ParametersItem parameters = 9; }
message Operation { string operation_id = 5; repeated ParametersItem parameters = 8; repeated NamedAny vendor_extension = 13; }
message ParametersItem { Parameter parameter = 1; }
message Parameter { NonBodyParameter non_body_parameter = 2; }
message NonBodyParameter { QueryParameterSubSchema query_parameter_sub_schema = 3; PathParameterSubSchema path_parameter_sub_schema = 4; }
message QueryParameterSubSchema { string in = 2; string name = 4; string type = 6; }
message PathParameterSubSchema { bool required = 1; string in = 2; string name = 4; string type = 5; }
message Definitions { repeated NamedSchema additional_properties = 1; }
message NamedSchema { string name = 1; Schema value = 2; }
message Schema { string _ref = 1; string format = 2; string description = 4; repeated string required = 19; TypeItem type = 22; ItemsItem items = 23; Properties properties = 25; repeated NamedAny vendor_extension = 31; }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message Properties { repeated NamedSchema additional_properties = 1; }
message NamedAny { string name = 1; Any value = 2; }
message Any { string yaml = 2; }
`;

test('the v2 protobuf decodes back to the swagger document', () => {
  const doc = buildOpenAPIV2(BUILTIN_RESOURCES) as Json;
  const bytes = buildOpenAPIV2Protobuf(doc);
  const Document = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('openapi.v2.Document');
  const decoded = Document.toObject(Document.decode(bytes), { defaults: false }) as Json;
  assert.equal(decoded.swagger, '2.0');
  assert.equal(decoded.info.title, 'Kubernetes');
  const defs = new Map<string, Json>(decoded.definitions.additional_properties.map((d: Json) => [d.name, d.value]));
  assert.equal(defs.size, Object.keys(doc.definitions).length);
  const dep = defs.get('io.k8s.api.apps.v1.Deployment')!;
  assert.deepEqual(dep.type.value, ['object']);
  const gvk = dep.vendor_extension.find((e: Json) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(JSON.parse(gvk.value.yaml), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const podSpec = defs.get('io.k8s.api.core.v1.PodSpec')!;
  const containers = podSpec.properties.additional_properties.find((p: Json) => p.name === 'containers').value;
  assert.equal(containers.items.schema[0]._ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.ok(containers.vendor_extension.some((e: Json) => e.name === 'x-kubernetes-patch-merge-key' && JSON.parse(e.value.yaml) === 'name'));
  const path = decoded.paths.path.find((p: Json) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  const names = path.value.patch.parameters.map((p: Json) => p.parameter.non_body_parameter?.query_parameter_sub_schema?.name);
  assert.ok(names.includes('fieldValidation'));
});

test('OpenAPI v3 for apps/v1 has components, GVK, allOf-wrapped refs and a fieldValidation PATCH parameter', () => {
  const doc = buildOpenAPIV3('apps', 'v1', BUILTIN_RESOURCES) as Json;
  assert.match(doc.openapi, /^3\.0/);
  const schemas = doc.components.schemas;
  assert.deepEqual(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.equal(schemas['io.k8s.api.core.v1.Pod'], undefined, 'only kinds of this group/version are tagged; Pod is not referenced');
  assert.ok(schemas['io.k8s.api.core.v1.PodSpec'], 'referenced core types are included');
  assert.deepEqual(schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy, {
    allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }],
    'x-kubernetes-patch-strategy': 'retainKeys',
  });
  assert.equal(schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas.type, 'integer');
  assert.ok(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']);
  for (const m of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(m[1] in schemas, m[1]);
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'));
  const core = buildOpenAPIV3('', 'v1', BUILTIN_RESOURCES) as Json;
  assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}']);
  assert.ok(core.paths['/api/v1/nodes/{name}/status']);
});

test('the v3 root lists every group/version with a stable content hash', () => {
  const root = buildOpenAPIV3Root(BUILTIN_RESOURCES) as Json;
  const apps = openAPIV3Document('apps', 'v1', BUILTIN_RESOURCES);
  assert.equal(root.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${apps.etag}`);
  assert.ok(root.paths['api/v1']);
  assert.ok(root.paths['apis/rbac.authorization.k8s.io/v1']);
  assert.match(apps.etag, /^[0-9A-F]{128}$/);
  assert.deepEqual(JSON.parse(apps.body.toString()), buildOpenAPIV3('apps', 'v1', BUILTIN_RESOURCES));
  assert.equal(openAPIV3RootDocument(BUILTIN_RESOURCES).etag, openAPIV3RootDocument([...BUILTIN_RESOURCES]).etag);
});

test('paths carry only the operations a resource serves', () => {
  const paths = (buildOpenAPIV2(BUILTIN_RESOURCES) as Json).paths;
  const methods = (path: string) => Object.keys(paths[path] ?? {}).filter((k) => k !== 'parameters');
  assert.deepEqual(methods('/api/v1/namespaces/{namespace}/pods/{name}'), ['get', 'put', 'delete', 'patch']);
  assert.deepEqual(methods('/api/v1/namespaces/{namespace}/pods'), ['get', 'post', 'delete']);
  // componentstatuses: get and list only.
  assert.deepEqual(methods('/api/v1/componentstatuses/{name}'), ['get']);
  assert.deepEqual(methods('/api/v1/componentstatuses'), ['get']);
  // A create-only review: one POST, no item path.
  assert.deepEqual(methods('/apis/authentication.k8s.io/v1/tokenreviews'), ['post']);
  assert.equal(paths['/apis/authentication.k8s.io/v1/tokenreviews/{name}'], undefined);
});
