// imagePullSecrets → CRI AuthConfig: which Secret entries apply to an image.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Secret } from '../../api/core/v1/types.js';
import { imageRepository, normalizeConfigKey, pullSecretAuths } from '../../pkg/kubelet/credentialprovider/keyring.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dockerconfigjson = (auths: Record<string, unknown>): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's' },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
});

describe('pull secret keyring', () => {
  it('names repositories and config keys as host/path', () => {
    assert.equal(imageRepository('nginx'), 'docker.io/library/nginx');
    assert.equal(imageRepository('nginx:1.26'), 'docker.io/library/nginx');
    assert.equal(imageRepository('index.docker.io/me/app@sha256:abc'), 'docker.io/me/app');
    assert.equal(imageRepository('127.0.0.1:5001/team/app:1'), '127.0.0.1:5001/team/app');
    assert.equal(normalizeConfigKey('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeConfigKey('http://127.0.0.1:5001'), '127.0.0.1:5001');
    assert.equal(normalizeConfigKey('Registry.Example/team/'), 'registry.example/team');
  });

  it('offers matching entries, most specific first, from username/password or auth', () => {
    const secrets = [
      dockerconfigjson({ '127.0.0.1:5001': { username: 'a', password: 'pa' }, 'other:1': { username: 'x', password: 'y' } }),
      dockerconfigjson({ '127.0.0.1:5001/team': { auth: b64('b:p:b') } }),
    ];
    assert.deepEqual(pullSecretAuths('127.0.0.1:5001/team/app:1', secrets), [
      { username: 'b', password: 'p:b' },
      { username: 'a', password: 'pa' },
    ]);
    assert.deepEqual(pullSecretAuths('127.0.0.1:5001/solo:1', secrets), [{ username: 'a', password: 'pa' }]);
    assert.deepEqual(pullSecretAuths('127.0.0.1:50011/team/app', secrets), [], 'a longer port is another host');
    assert.deepEqual(pullSecretAuths('nginx', [dockerconfigjson({ 'https://index.docker.io/v1/': { username: 'h', password: 'p' } })]), [
      { username: 'h', password: 'p' },
    ]);
  });

  it('skips Secrets of other types, unparsable ones and hostile keys without failing', () => {
    const opaque: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'o' }, type: 'Opaque', data: { '.dockerconfigjson': b64('{"auths":{}}') } };
    const broken: Secret = { ...dockerconfigjson({}), data: { '.dockerconfigjson': b64('{not json') } };
    const hostile: Secret = {
      ...dockerconfigjson({}),
      data: { '.dockerconfigjson': b64('{"auths":{"__proto__":{"username":"z","password":"z"},"constructor":"x"}}') },
    };
    assert.deepEqual(pullSecretAuths('nginx', [opaque, broken, hostile]), []);
    const dockercfg: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'c' },
      type: 'kubernetes.io/dockercfg',
      data: { '.dockercfg': b64('{"host.example":{"auth":"' + b64('u:p') + '"}}') },
    };
    assert.deepEqual(pullSecretAuths('host.example/app', [dockercfg]), [{ username: 'u', password: 'p' }]);
  });
});
