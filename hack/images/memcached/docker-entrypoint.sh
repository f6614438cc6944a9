#!/bin/sh
# As Docker Hub's memcached image: options alone get `memcached` in front.
set -e
if [ "${1#-}" != "$1" ]; then set -- memcached "$@"; fi
exec "$@"
