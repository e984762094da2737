#!/bin/sh
# Runs once, as the database superuser, when PostgreSQL's data volume is first created: a role for each
# part, so that none of them signs in as the superuser. On a managed PostgreSQL, an administrator runs
# the same SQL.
#   RASA_DB_USER       the Rasa servers: owns the conversation tables, which Rasa (or review.postgres,
#                      run as this role by review-setup) creates in the schema public
#   REVIEW_DB_USER     the review app: may only read the conversations (review.postgres grants that) and
#                      owns its own tables in the schema review
#   RETENTION_DB_USER  the daily retention job: the review role's rights, and DELETE on the conversation
#                      tables, so that one transaction removes a conversation and the app's rows about it
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v database="$POSTGRES_DB" \
  -v rasa="$RASA_DB_USER" -v rasa_password="$RASA_DB_PASSWORD" \
  -v review="$REVIEW_DB_USER" -v review_password="$REVIEW_DB_PASSWORD" \
  -v retention="$RETENTION_DB_USER" -v retention_password="$RETENTION_DB_PASSWORD" <<'SQL'
CREATE ROLE :"rasa" LOGIN PASSWORD :'rasa_password';
-- PostgreSQL 15 lets only the database's owner create in public; review.postgres creates the schema review
GRANT CREATE ON SCHEMA public TO :"rasa";
GRANT CREATE ON DATABASE :"database" TO :"rasa";
CREATE ROLE :"review" LOGIN PASSWORD :'review_password';
CREATE ROLE :"retention" LOGIN PASSWORD :'retention_password' IN ROLE :"review";
-- the tables do not exist yet: these rights come with each table the Rasa role creates
ALTER DEFAULT PRIVILEGES FOR ROLE :"rasa" IN SCHEMA public GRANT DELETE ON TABLES TO :"retention";
SQL
