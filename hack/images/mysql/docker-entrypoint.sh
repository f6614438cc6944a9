#!/bin/sh
# MariaDB as the Docker Hub mysql/mariadb images start it: on an empty data
# directory, create the system tables, set the root password and create
# MYSQL_DATABASE and MYSQL_USER (or the MARIADB_* names), run
# /docker-entrypoint-initdb.d/*.sh, *.sql and *.sql.gz, then exec the server.
set -eu

log() { echo "$(date -u '+%Y-%m-%d %H:%M:%S') 0 [Note] [Entrypoint]: $*"; }
die() { echo "$(date -u '+%Y-%m-%d %H:%M:%S') 0 [ERROR] [Entrypoint]: $*" >&2; exit 1; }

# A VAR_FILE (a mounted Secret) stands for VAR, as on Docker Hub.
file_env() {
	var="$1"; def="${2:-}"
	eval "val=\${$var:-}"; eval "fileval=\${${var}_FILE:-}"
	[ -n "$val" ] && [ -n "$fileval" ] && die "both $var and ${var}_FILE are set (but are exclusive)"
	[ -n "$fileval" ] && val="$(cat "$fileval")"
	[ -z "$val" ] && val="$def"
	export "$var=$val"
	unset "${var}_FILE" 2>/dev/null || true
}

# SQL string literal contents: backslashes and single quotes escaped.
sql_escape() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"; }

if [ "${1#-}" != "$1" ]; then set -- mariadbd "$@"; fi

case "$1" in
mariadbd | mysqld) ;;
*) exec "$@" ;;
esac

DATADIR=/var/lib/mysql
mkdir -p "$DATADIR" /run/mysqld
chown -R mysql:mysql "$DATADIR" /run/mysqld

if [ ! -d "$DATADIR/mysql" ]; then
	for v in ROOT_PASSWORD ALLOW_EMPTY_PASSWORD RANDOM_ROOT_PASSWORD DATABASE USER PASSWORD ROOT_HOST; do
		eval "m=\${MARIADB_$v:-}"; eval "mf=\${MARIADB_${v}_FILE:-}"
		[ -n "$m" ] && export "MYSQL_$v=$m"
		[ -n "$mf" ] && export "MYSQL_${v}_FILE=$mf"
	done
	file_env MYSQL_ROOT_PASSWORD
	file_env MYSQL_DATABASE
	file_env MYSQL_USER
	file_env MYSQL_PASSWORD
	if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && [ -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
		die 'Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD'
	fi
	if [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
		MYSQL_ROOT_PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
		log "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
	fi
	log 'Initializing database files'
	mariadb-install-db --user=mysql --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve >/dev/null
	log 'Starting temporary server'
	mariadbd --user=mysql --skip-networking --socket=/run/mysqld/init.sock --datadir="$DATADIR" &
	pid=$!
	sql() { mariadb --protocol=socket --socket=/run/mysqld/init.sock -uroot "$@"; }
	i=0
	until echo 'SELECT 1' | sql >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -gt 60 ] && die 'unable to start the temporary server'
		kill -0 "$pid" 2>/dev/null || die 'the temporary server exited'
		sleep 1
	done
	root_host="${MYSQL_ROOT_HOST:-%}"
	pw="$(sql_escape "$MYSQL_ROOT_PASSWORD")"
	{
		echo "SET @@SESSION.SQL_LOG_BIN=0;"
		echo "DELETE FROM mysql.global_priv WHERE User='' OR (User='root' AND Host NOT IN ('localhost'));"
		echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';"
		if [ "$root_host" != localhost ]; then
			echo "CREATE USER 'root'@'$(sql_escape "$root_host")' IDENTIFIED BY '$pw';"
			echo "GRANT ALL ON *.* TO 'root'@'$(sql_escape "$root_host")' WITH GRANT OPTION;"
		fi
		if [ -n "$MYSQL_DATABASE" ]; then
			echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
		fi
		if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
			echo "CREATE USER '$(sql_escape "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_escape "$MYSQL_PASSWORD")';"
			[ -n "$MYSQL_DATABASE" ] && echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$(sql_escape "$MYSQL_USER")'@'%';"
		fi
		echo "FLUSH PRIVILEGES;"
	} | sql
	sqlp() { if [ -n "$MYSQL_ROOT_PASSWORD" ]; then sql -p"$MYSQL_ROOT_PASSWORD" "$@"; else sql "$@"; fi; }
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
		*.sh) log "running $f"; . "$f" ;;
		*.sql) log "running $f"; sqlp ${MYSQL_DATABASE:+"$MYSQL_DATABASE"} <"$f" ;;
		*.sql.gz) log "running $f"; gunzip -c "$f" | sqlp ${MYSQL_DATABASE:+"$MYSQL_DATABASE"} ;;
		*) log "ignoring $f" ;;
		esac
	done
	log 'Stopping temporary server'
	kill "$pid"
	wait "$pid" || true
	log 'MariaDB init process done. Ready for start up.'
fi

exec "$@"
