#!/bin/sh
# PostgreSQL as Docker Hub's postgres image starts it: on an empty PGDATA,
# initdb with POSTGRES_USER (default postgres) and POSTGRES_PASSWORD (required
# unless POSTGRES_HOST_AUTH_METHOD=trust), create POSTGRES_DB (default the
# user's name), run /docker-entrypoint-initdb.d/*.sh, *.sql and *.sql.gz, then
# exec the server as the postgres user (busybox su), listening on every address.
set -eu

PG_UID=999 # the postgres user's
# busybox's su as root: no password asked; -p keeps the environment (PGDATA, PATH); after
# `--` the command's own options are not taken for su's.
as_postgres() { su -p -s /bin/sh -c 'exec "$0" "$@"' -- postgres "$@"; }
file_env() {
	var="$1"; def="${2:-}"
	eval "val=\${$var:-}"; eval "fileval=\${${var}_FILE:-}"
	[ -n "$fileval" ] && val="$(cat "$fileval")"
	[ -z "$val" ] && val="$def"
	export "$var=$val"
}

if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
if [ "$1" != postgres ]; then exec "$@"; fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
mkdir -p "$PGDATA" /var/run/postgresql
chmod 00700 "$PGDATA"
chown -R $PG_UID:$PG_UID "$PGDATA" /var/run/postgresql

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
		cat >&2 <<-'MSG'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
		MSG
		exit 1
	fi
	pwfile="$(mktemp)"
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	chown $PG_UID "$pwfile"
	as_postgres initdb --username="$POSTGRES_USER" --pwfile="$pwfile" ${POSTGRES_INITDB_ARGS:-} >/dev/null
	rm -f "$pwfile"
	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
	as_postgres pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
	export PGPASSWORD="$POSTGRES_PASSWORD"
	psql() { as_postgres env PGPASSWORD="$POSTGRES_PASSWORD" /usr/lib/postgresql/15/bin/psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"; }
	if [ "$POSTGRES_DB" != postgres ]; then
		echo "CREATE DATABASE \"$POSTGRES_DB\";" | psql --dbname postgres >/dev/null
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
		*.sh) echo "running $f"; . "$f" ;;
		*.sql) echo "running $f"; psql --dbname "$POSTGRES_DB" -f "$f" ;;
		*.sql.gz) echo "running $f"; gunzip -c "$f" | psql --dbname "$POSTGRES_DB" ;;
		*) echo "ignoring $f" ;;
		esac
	done
	as_postgres pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	echo 'PostgreSQL init process complete; ready for start up.'
fi

shift
exec su -p -s /bin/sh -c 'exec "$0" "$@"' -- postgres postgres -c listen_addresses='*' "$@"
