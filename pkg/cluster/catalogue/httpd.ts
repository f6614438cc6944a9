// httpd: Debian's apache2 with Docker Hub's layout (/usr/local/apache2: conf/httpd.conf, htdocs "It works!").
import { readFileSync } from 'node:fs';
import { hackFile, mkdirs, symlink, writeFile, type ImageSpec } from '../rootfs.js';
import { apacheConfigTest, debianRootfs } from './debian.js';

export const httpdImage: ImageSpec = {
  name: 'httpd',
  recipe: 'httpd-2',
  references: { 'docker.io/library/httpd': ['latest', '2', '2.4', 'alpine'] },
  config: {
    Env: ['PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HTTPD_PREFIX=/usr/local/apache2'],
    Cmd: ['httpd-foreground'],
    WorkingDir: '/usr/local/apache2',
    ExposedPorts: { '80/tcp': {} },
    StopSignal: 'SIGWINCH',
  },
  files: ['httpd/httpd.conf', 'httpd/httpd-foreground'],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['apache2-bin', 'media-types']);
    mkdirs(root, {
      'usr/local/apache2/conf/conf.d': 0o755,
      'usr/local/apache2/htdocs': 0o755,
      'usr/local/apache2/logs': 0o755,
      'usr/local/apache2/bin': 0o755,
    });
    writeFile(root, 'usr/local/apache2/conf/httpd.conf', readFileSync(hackFile('httpd/httpd.conf')));
    writeFile(root, 'usr/local/apache2/htdocs/index.html', '<html><body><h1>It works!</h1></body></html>\n');
    symlink(root, 'usr/local/apache2/bin/httpd', '/usr/sbin/apache2');
    symlink(root, 'usr/local/apache2/modules', '/usr/lib/apache2/modules');
    writeFile(root, 'usr/local/apache2/bin/httpd-foreground', readFileSync(hackFile('httpd/httpd-foreground')), 0o755);
    await apacheConfigTest(root, 'apache2 -t -f /usr/local/apache2/conf/httpd.conf');
  },
};
