#!/bin/sh
# compose.yaml's PostgreSQL init: the least-privilege roles of deploy/postgres-roles.sql,
# with the passwords from .env (psql interpolates them as quoted literals).
set -eu
psql -v ON_ERROR_STOP=1 --username postgres -f /deploy/postgres-roles.sql
psql -v ON_ERROR_STOP=1 --username postgres \
  -v owner="$PAYMENTS_OWNER_DB_PASSWORD" -v app="$PAYMENTS_APP_DB_PASSWORD" <<'SQL'
ALTER ROLE payments_owner PASSWORD :'owner';
ALTER ROLE payments_app PASSWORD :'app';
SQL
