// python: Debian's Python 3.11 with Flask and the redis client (the seeds' visit counter),
// as Docker Hub's python:3-slim runs it (`python` is python3).
import { PATH_ENV, run, symlink, type ImageSpec } from '../rootfs.js';
import { debianRootfs } from './debian.js';

export const pythonImage: ImageSpec = {
  name: 'python',
  recipe: 'python-1',
  references: {
    'docker.io/library/python': ['3', 'latest', '3.11', '3-slim', '3.11-slim', '3-bookworm', '3.11-slim-bookworm'],
  },
  // Any python 3 tag; `python:2.7` is another language.
  answersTag: (tag) => /^3(?:[.-]|$)/.test(tag) || tag === 'latest' || tag.startsWith('slim'),
  config: { Env: [PATH_ENV, 'LANG=C.UTF-8', 'PYTHONUNBUFFERED=1'], Cmd: ['python3'] },
  files: [],
  rootfs: async (root, ctx) => {
    await debianRootfs(root, ctx, ['python3', 'python3-flask', 'python3-redis']);
    symlink(root, 'usr/local/bin/python', '/usr/bin/python3');
    await run('chroot', [root, '/usr/bin/python3', '-c', 'import flask, redis, sqlite3, json, ssl']);
  },
};
