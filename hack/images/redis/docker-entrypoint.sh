#!/bin/sh
# The image's ENTRYPOINT, with the Docker Hub redis image's argument rule: a
# manifest that gives only `args` (a config file, or options) still starts
# redis-server, e.g. `args: [/usr/local/etc/redis/redis.conf]`.
set -e
case "$1" in
  -*|*.conf) set -- redis-server "$@" ;;
esac
exec "$@"
