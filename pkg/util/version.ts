// What /version reports. The minor version is the Kubernetes API level served.
export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+timonel',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '2026-11-21T00:00:00Z',
  goVersion: 'node' + process.versions.node,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};
