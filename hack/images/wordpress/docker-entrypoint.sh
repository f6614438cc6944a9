#!/bin/sh
# As Docker Hub's wordpress image: an empty /var/www/html (a volume) is
# populated from /usr/src/wordpress, and wp-config.php reads WORDPRESS_DB_HOST,
# WORDPRESS_DB_USER, WORDPRESS_DB_PASSWORD, WORDPRESS_DB_NAME and the rest
# from the environment (wp-config-docker.php).
set -eu

case "$1" in
apache2* | php-fpm)
	if [ ! -e index.php ] && [ ! -e wp-includes/version.php ]; then
		echo >&2 "WordPress not found in $PWD - copying now..."
		if [ -n "$(ls -A)" ]; then
			echo >&2 "WARNING: $PWD is not empty! (copying anyway)"
		fi
		cp -a /usr/src/wordpress/. .
		chown -R www-data:www-data .
		echo >&2 "Complete! WordPress has been successfully copied to $PWD"
	fi
	if [ ! -s wp-config.php ] && env | grep -q '^WORDPRESS_'; then
		cp /usr/src/wordpress/wp-config-docker.php wp-config.php
		chown www-data:www-data wp-config.php
	fi
	;;
esac

exec "$@"
