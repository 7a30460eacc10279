#!/bin/sh
# Runs once, when the PostgreSQL volume is new: Airflow's metadata and the lake's DuckLake catalog in separate
# databases, each owned by its own role.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
  -v airflow_password="$AIRFLOW_DB_PASSWORD" -v lake_password="$LAKE_DB_PASSWORD" <<'SQL'
CREATE ROLE airflow LOGIN PASSWORD :'airflow_password';
CREATE DATABASE airflow OWNER airflow;
CREATE ROLE safelake LOGIN PASSWORD :'lake_password';
CREATE DATABASE lake OWNER safelake;
SQL
