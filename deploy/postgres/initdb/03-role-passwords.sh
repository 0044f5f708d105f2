#!/usr/bin/env bash
# Run once by the postgres image after 02-roles.sql: each role's password, taken from the very
# database URL its service is given (Docker secrets under /run/secrets), so the two never differ.
# The passwords are sent as psql variables, never on a command line or in a log.
set -euo pipefail

secrets=${ROLE_SECRETS_DIR:-/run/secrets}

set_password() {
    local role=$1 url_file=$2 url user password
    url=$(<"$url_file")
    # postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE, with a password that needs no %-escapes
    user=$(sed -E 's#^[a-z0-9+]+://([^:@/]+):.*#\1#' <<<"$url")
    password=$(sed -E 's#^[a-z0-9+]+://[^:@/]+:([^@]*)@.*#\1#' <<<"$url")
    if [[ $user != "$role" || $password == "$url" || -z $password || $password == *%* ]]; then
        echo "$url_file: expected postgresql://$role:PASSWORD@..., PASSWORD without %" >&2
        return 1
    fi
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" \
        --dbname postgres -v role="$role" -v password="$password" <<'SQL'
ALTER ROLE :"role" PASSWORD :'password';
SQL
}

set_password registration_migrator "$secrets/registration-migration-database-url"
set_password registration_app "$secrets/registration-database-url"
set_password welcome "$secrets/welcome-database-url"
