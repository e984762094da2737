#!/bin/sh
# Runs once, when PostgreSQL's data volume is first created: the review app's own role, which
# `python -m review.postgres` (the review-setup service) then allows to read the conversations only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v role="$REVIEW_DB_USER" -v password="$REVIEW_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
SQL
