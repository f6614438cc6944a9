// Who each part of a `timonel up` cluster is to the apiserver: one client
// certificate from the cluster CA per component, in a kubeconfig of its own, as
// kubeadm writes admin.conf, controller-manager.conf, scheduler.conf and
// kubelet.conf. The user is the certificate's CN, the groups its O values
// (--client-ca-file); the default RBAC policy grants each its role:
//
//   admin               kubernetes-admin in system:masters (kubeadm's admin.conf before 1.29)
//   controller-manager  system:kube-controller-manager
//   scheduler           system:kube-scheduler
//   kubelet             system:node:<nodeName> in system:nodes (the Node authorizer's form)
//   proxy               system:kube-proxy (bound to system:node-proxier)
//   dns                 system:kube-dns: upstream's DNS runs as the kube-system/kube-dns
//                       service account; a DNS server outside a pod has no service account
//                       token, so it gets a user of its own, bound where that account is.
//
// Certificates are made once and kept in the pki directory; each is made again
// when the CA, its subject or its names change (loadOrCreateSignedCert).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateSignedCert, type CertKeyPair } from '../util/certs.js';
import { kubeconfigYAML } from './kubeconfig.js';

export const ADMIN_USER = 'kubernetes-admin';
export const SYSTEM_MASTERS = 'system:masters';

export type Component = 'controller-manager' | 'scheduler' | 'kubelet' | 'proxy' | 'dns';

export interface Identity {
  commonName: string;
  organizations: string[];
}

/** The identity of each component of a node named nodeName. */
export function componentIdentity(component: Component, nodeName: string): Identity {
  switch (component) {
    case 'controller-manager':
      return { commonName: 'system:kube-controller-manager', organizations: [] };
    case 'scheduler':
      return { commonName: 'system:kube-scheduler', organizations: [] };
    case 'kubelet':
      return { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'] };
    case 'proxy':
      return { commonName: 'system:kube-proxy', organizations: [] };
    case 'dns':
      return { commonName: 'system:kube-dns', organizations: [] };
  }
}

export const COMPONENT_IDENTITIES: readonly Component[] = ['controller-manager', 'scheduler', 'kubelet', 'proxy', 'dns'];

export interface ClusterAccess {
  /** The apiserver's URL. */
  server: string;
  ca: CertKeyPair;
}

/** The client certificate of an identity, `<name>.crt`/`<name>.key` in pkiDir. */
export function clientCertificate(pkiDir: string, name: string, id: Identity, ca: CertKeyPair): CertKeyPair {
  return loadOrCreateSignedCert(pkiDir, name, { commonName: id.commonName, organizations: id.organizations, usage: 'client' }, ca);
}

/** The admin's certificate (admin.crt) and kubeconfig at path. */
export function writeAdminKubeconfig(path: string, pkiDir: string, access: ClusterAccess): CertKeyPair {
  const cert = clientCertificate(pkiDir, 'admin', { commonName: ADMIN_USER, organizations: [SYSTEM_MASTERS] }, access.ca);
  writeFileSync(path, kubeconfigYAML(access.server, access.ca.cert, cert, 'timonel', ADMIN_USER), { mode: 0o600 });
  return cert;
}

/** A component's certificate (<component>.crt in pkiDir) and its kubeconfig, <component>.yaml in dir; returns the kubeconfig's path. */
export function writeComponentKubeconfig(dir: string, pkiDir: string, component: Component, nodeName: string, access: ClusterAccess): string {
  const id = componentIdentity(component, nodeName);
  const cert = clientCertificate(pkiDir, component, id, access.ca);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${component}.yaml`);
  writeFileSync(path, kubeconfigYAML(access.server, access.ca.cert, cert, 'timonel', id.commonName), { mode: 0o600 });
  return path;
}

/**
 * The kubelet's serving certificate (kubelet-serving.crt), signed by the cluster CA for
 * the node's name and IP, so the apiserver can verify it (--kubelet-certificate-authority).
 */
export function kubeletServingCertificate(pkiDir: string, nodeName: string, nodeIP: string, ca: CertKeyPair): { certFile: string; keyFile: string } {
  loadOrCreateSignedCert(
    pkiDir,
    'kubelet-serving',
    { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'], usage: 'server', hosts: [nodeName, nodeIP] },
    ca,
  );
  return { certFile: join(pkiDir, 'kubelet-serving.crt'), keyFile: join(pkiDir, 'kubelet-serving.key') };
}
