#!/bin/sh
# First start of the PostgreSQL container only: the app's own role, which is not a superuser,
# owning the app's database. The app never connects as the superuser.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_password="$CHAINSURVEY_DB_PASSWORD" <<'SQL'
CREATE ROLE chainsurvey LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE chainsurvey OWNER chainsurvey;
REVOKE ALL ON DATABASE chainsurvey FROM PUBLIC;
SQL
