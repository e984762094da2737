"""Sets PostgreSQL up for the review app: a role of its own that can read the conversations and nothing more.

    python -m review.postgres [--create-role]

Run it once as the conversation store's owner (the Rasa server's TRACKER_DB_* user), with REVIEW_DB_USER
(and REVIEW_DB_PASSWORD) set. It creates Rasa's events table when the server has not yet (with Rasa's
own definition), lets the review role SELECT from it and nothing else, and gives the role a schema,
`review`, for the app's own tables. With --create-role it first creates the role (this needs the
CREATEROLE right; otherwise a database administrator creates it).
"""

from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa

from review.database import tracker_engine
from review.settings import Settings, SettingsError

SCHEMA = "review"


def grant_statements(quote: sa.sql.compiler.IdentifierPreparer, role: str, database: str) -> list[str]:
    role, database, schema = quote.quote(role), quote.quote(database), quote.quote(SCHEMA)
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE ALL ON TABLE events FROM {role}",
        f"GRANT SELECT ON TABLE events TO {role}",
        f"CREATE SCHEMA IF NOT EXISTS {schema}",
        f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {role}",
    ]


def set_up(settings: Settings, create_role: bool = False) -> None:
    from rasa.core.tracker_store import SQLTrackerStore  # Rasa is slow to import: only here

    engine = tracker_engine(settings)
    try:
        SQLTrackerStore.Base.metadata.create_all(engine)
        with engine.begin() as connection:
            quote = connection.dialect.identifier_preparer
            if create_role:
                # psycopg2 puts the password in as a quoted literal (CREATE ROLE takes no server-side parameters)
                connection.exec_driver_sql(
                    f"CREATE ROLE {quote.quote(settings.review_user)} LOGIN PASSWORD %s",
                    (settings.review_password or None,),
                )
            for statement in grant_statements(quote, settings.review_user, settings.tracker_db):
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--create-role", action="store_true", help="create the REVIEW_DB_USER role first")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if not settings.on_postgresql:
            raise SettingsError("TRACKER_DB_DIALECT is not postgresql: there is nothing to set up.")
        set_up(settings, args.create_role)
    except SettingsError as error:
        sys.exit(str(error))
    except sa.exc.DBAPIError as error:
        sys.exit(f"PostgreSQL refused: {str(error.orig).strip()}")
    print(f"The role {settings.review_user} may now read the conversations and keep its own tables in {SCHEMA}.")


if __name__ == "__main__":
    main()
