// wordpress: Debian's WordPress 6.1 with apache2 and PHP 8.2, laid out as Docker Hub's
// wordpress:apache image (sources in /usr/src/wordpress, copied into an empty /var/www/html).
import { readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PATH_ENV, hackFile, mkdirs, run, writeFile, type ImageSpec } from '../rootfs.js';
import { apacheConfigTest, caBundle, debianRootfs } from './debian.js';

// What Debian's apache2 postinst enables (a2enmod is perl, not run here), plus PHP and rewrite.
const MODULES = [
  'access_compat',
  'alias',
  'auth_basic',
  'authn_core',
  'authn_file',
  'authz_core',
  'authz_host',
  'authz_user',
  'autoindex',
  'deflate',
  'dir',
  'env',
  'filter',
  'mime',
  'mpm_prefork',
  'negotiation',
  'php8.2',
  'reqtimeout',
  'rewrite',
  'setenvif',
  'status',
];

/**
 * What the php8.2 postinsts do (not run here): php.ini from the production template, each
 * extension's ini (shipped under /usr/share/php8.2-*) into mods-available, and every one enabled
 * (phpenmod) for apache2 and the CLI in its priority order.
 */
function enablePhpModules(root: string): void {
  const available = join(root, 'etc/php/8.2/mods-available');
  mkdirs(root, { 'etc/php/8.2/mods-available': 0o755 });
  for (const pkg of readdirSync(join(root, 'usr/share')).filter((d) => d.startsWith('php8.2-'))) {
    for (const f of readdirSync(join(root, 'usr/share', pkg), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ini')))
      writeFile(root, `etc/php/8.2/mods-available/${basename(f)}`, readFileSync(join(root, 'usr/share', pkg, f)));
  }
  for (const sapi of ['apache2', 'cli']) {
    writeFile(root, `etc/php/8.2/${sapi}/php.ini`, readFileSync(join(root, 'usr/lib/php/8.2/php.ini-production')));
    mkdirs(root, { [`etc/php/8.2/${sapi}/conf.d`]: 0o755 });
    for (const ini of readdirSync(available)) {
      const priority = /priority=(\d+)/.exec(readFileSync(join(available, ini), 'utf8'))?.[1] ?? '20';
      symlinkSync(`/etc/php/8.2/mods-available/${ini}`, join(root, `etc/php/8.2/${sapi}/conf.d/${priority}-${ini}`));
    }
  }
}

export const wordpressImage: ImageSpec = {
  name: 'wordpress',
  recipe: 'wordpress-1',
  references: {
    'docker.io/library/wordpress': ['latest', 'apache', '6', '6.1', '6.1-apache', '6.2.1-apache', 'php8.2-apache'],
  },
  config: {
    Env: [PATH_ENV],
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['apache2-foreground'],
    WorkingDir: '/var/www/html',
    ExposedPorts: { '80/tcp': {} },
    Volumes: { '/var/www/html': {} },
    StopSignal: 'SIGWINCH',
  },
  files: ['wordpress/docker-entrypoint.sh', 'wordpress/apache2-foreground', 'wordpress/wp-config-docker.php', 'wordpress/000-default.conf'],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['apache2', 'libapache2-mod-php8.2', 'php8.2-mysql', 'wordpress']);
    const apache = join(root, 'etc/apache2');
    for (const dir of ['mods-enabled', 'conf-enabled', 'sites-enabled']) {
      rmSync(join(apache, dir), { recursive: true, force: true });
      mkdirs(root, { [`etc/apache2/${dir}`]: 0o755 });
    }
    for (const m of MODULES)
      for (const ext of ['load', 'conf'])
        try {
          readFileSync(join(apache, 'mods-available', `${m}.${ext}`));
          symlinkSync(`../mods-available/${m}.${ext}`, join(apache, 'mods-enabled', `${m}.${ext}`));
        } catch {
          if (ext === 'load') throw new Error(`images: apache2 has no module ${m}`);
        }
    for (const c of ['charset', 'security']) symlinkSync(`../conf-available/${c}.conf`, join(apache, 'conf-enabled', `${c}.conf`));
    writeFile(root, 'etc/apache2/sites-available/000-default.conf', readFileSync(hackFile('wordpress/000-default.conf')));
    symlinkSync('../sites-available/000-default.conf', join(apache, 'sites-enabled/000-default.conf'));
    // Logs to the container's output, as Docker Hub's do.
    writeFile(root, 'etc/apache2/conf-enabled/docker-logs.conf', 'ErrorLog /proc/self/fd/2\nServerName localhost\n');
    // Debian's tree links into /etc and /usr/share; the copy users get must stand alone.
    enablePhpModules(root);
    caBundle(root);
    mkdirs(root, { 'usr/src': 0o755 });
    await run('chroot', [root, '/bin/busybox', 'cp', '-rL', '/usr/share/wordpress', '/usr/src/wordpress']);
    rmSync(join(root, 'usr/src/wordpress/wp-config.php'), { force: true });
    writeFile(root, 'usr/src/wordpress/wp-config-docker.php', readFileSync(hackFile('wordpress/wp-config-docker.php')));
    writeFile(root, 'usr/src/wordpress/.htaccess', readFileSync(join(root, 'etc/wordpress/htaccess')));
    rmSync(join(root, 'var/www/html'), { recursive: true, force: true });
    mkdirs(root, { 'var/www/html': 0o755, 'var/lib/php/sessions': 0o1733, 'var/run/apache2': 0o755, 'var/lock/apache2': 0o755, 'var/log/apache2': 0o755 });
    writeFile(root, 'usr/local/bin/docker-entrypoint.sh', readFileSync(hackFile('wordpress/docker-entrypoint.sh')), 0o755);
    writeFile(root, 'usr/local/bin/apache2-foreground', readFileSync(hackFile('wordpress/apache2-foreground')), 0o755);
    await apacheConfigTest(root, '. /etc/apache2/envvars && apache2 -t');
    await run('chroot', [
      root,
      '/usr/bin/php8.2',
      '-r',
      'if (!function_exists("mysqli_connect")) { fwrite(STDERR, implode(" ", get_loaded_extensions()) . " " . php_ini_scanned_files()); exit(1); }',
    ]);
  },
};
