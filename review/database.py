"""The review app's tables, and the connections to them and to the conversation store.

Two kinds of table:
- `events`: Rasa's SQL tracker store table, read only. Declared here with the columns Rasa writes, in
  its own MetaData so that nothing here ever creates or changes it.
- the app's own: staff accounts and their sessions, notes, tags, reviewed marks, the audit log, and
  an index of the conversations (one row each, kept up to date from `events` by review/index.py) that
  makes the list and its filters fast.

On SQLite the app's tables live in their own file, and the conversation file is attached read-only
(`mode=ro`: SQLite itself refuses any write to it). Unqualified `events` then resolves to the attached
file, because the app's file has no table of that name. On PostgreSQL the app signs in as its own
role, which owns the `review` schema and may only SELECT from `events`; its search path finds the
app's tables in `review` and `events` in `public`.
"""

from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa

from review import roles
from review.conversation_facts import READ_TYPES, SESSION_START
from review.settings import Settings

TRACKER = sa.MetaData()
REVIEW = sa.MetaData()

events = sa.Table(
    "events",
    TRACKER,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

staff = sa.Table(
    "review_staff",
    REVIEW,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.Float, nullable=False),
    # review/roles.py: what the account may do; read on every request, so that a change applies at once
    sa.Column("role", sa.String(20), nullable=False, server_default=roles.NEW_ACCOUNT),
)

sessions = sa.Table(
    "review_sessions",
    REVIEW,
    # the SHA-256 of the cookie's token: a copy of this table opens no session
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("review_staff.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen_at", sa.Float, nullable=False),
)

audit = sa.Table(
    "review_audit",
    REVIEW,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("username", sa.String(80)),
    sa.Column("client", sa.String(64)),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("conversation_id", sa.String(255)),
    sa.Column("details", sa.Text),
    sa.Index("review_audit_action_at", "action", "at"),
)

conversations = sa.Table(
    "review_conversations",
    REVIEW,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False, index=True),
    sa.Column("last_event_id", sa.Integer, nullable=False, index=True),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Column("crisis", sa.Boolean, nullable=False),
    # the id of the conversation's latest crisis event: a review mark covers the crisis up to its own id
    sa.Column("last_crisis_event_id", sa.Integer, nullable=False, server_default="0"),
    sa.Column("distress", sa.Boolean, nullable=False),
    sa.Column("unanswered", sa.Boolean, nullable=False),
    # sets kept as ",a,b," so that one LIKE '%,a,%' finds a member
    sa.Column("channels", sa.Text, nullable=False),
    sa.Column("topics", sa.Text, nullable=False),
    sa.Column("preview", sa.Text, nullable=False),
    # the person's latest message that brought a crisis reply (review/conversation_facts.py)
    sa.Column("crisis_message", sa.Text, nullable=False, server_default=""),
    sa.Column("search_text", sa.Text, nullable=False),
)

marks = sa.Table(
    "review_marks",
    REVIEW,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("reviewed_by", sa.String(80), nullable=False),
    sa.Column("reviewed_at", sa.Float, nullable=False),
    # the last event the reviewer saw: a crisis after it puts the conversation back in the queue
    sa.Column("reviewed_up_to", sa.Integer, nullable=False, server_default="0"),
)

notes = sa.Table(
    "review_notes",
    REVIEW,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

tags = sa.Table(
    "review_tags",
    REVIEW,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("tag", sa.String(40), primary_key=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

# the events the app reads (review/conversation_facts.py says why)
readable = sa.or_(events.c.type_name.in_(READ_TYPES), events.c.action_name == SESSION_START)

# what retention removes with a conversation (the audit log stays: it holds no conversation text)
PER_CONVERSATION = (conversations, marks, notes, tags)


class StoreUnavailableError(RuntimeError):
    """A database cannot be opened; the message says which and what to check."""


def review_engine(settings: Settings) -> sa.engine.Engine:
    """The app's connection: its own tables read-write, `events` read-only."""
    if settings.on_postgresql:
        url = sa.engine.URL.create(
            "postgresql+psycopg2",
            username=settings.review_user,
            password=settings.review_password or None,
            host=settings.tracker_host or None,
            port=int(settings.tracker_port) if settings.tracker_port else None,
            database=settings.tracker_db,
        )
        return sa.create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": "-c search_path=review,public", "connect_timeout": 10},
        )
    # URI file names (percent-encoded), so that the conversation file can be opened with mode=ro
    engine = sa.create_engine(
        f"sqlite:///file:{quote(str(settings.review_file))}?mode=rwc&uri=true", connect_args={"timeout": 15}
    )
    tracker_uri = f"file:{quote(str(settings.tracker_file))}?mode=ro"

    @sa.event.listens_for(engine, "connect")
    def attach_conversations_read_only(connection, _record) -> None:
        if not settings.tracker_file.exists():
            raise StoreUnavailableError(
                f"The conversation store {settings.tracker_file} does not exist yet: start the assistant "
                "(it creates the file), or check TRACKER_DB."
            )
        connection.execute("ATTACH DATABASE ? AS tracker", (tracker_uri,))

    return engine


def own_tables_engine(settings: Settings) -> sa.engine.Engine:
    """The app's own tables alone: works before the conversation store exists."""
    if settings.on_postgresql:
        return review_engine(settings)
    return sa.create_engine(f"sqlite:///{settings.review_file}", connect_args={"timeout": 15})


def tracker_engine(settings: Settings) -> sa.engine.Engine:
    """The conversation store as its owner (the Rasa server's user): for retention, which deletes, and for
    setting up the review role on PostgreSQL."""
    if settings.on_postgresql:
        url = sa.engine.URL.create(
            "postgresql+psycopg2",
            username=settings.tracker_user or None,
            password=settings.tracker_password or None,
            host=settings.tracker_host or None,
            port=int(settings.tracker_port) if settings.tracker_port else None,
            database=settings.tracker_db,
        )
        return sa.create_engine(url, connect_args={"connect_timeout": 10})
    return sa.create_engine(f"sqlite:///{settings.tracker_file}", connect_args={"timeout": 15})


def _bring_up_to_date(connection: sa.engine.Connection) -> None:
    """Tables made by an earlier version gain the columns of this one.

    The index is rebuilt from the events when it lacks a column of this version (it is only a cache of
    them, and a new column must be filled from every conversation's events). An older mark gains
    `reviewed_up_to` 0: it covers no crisis event, so every crisis conversation is reviewed once more
    rather than a later crisis staying hidden behind it. Accounts older than roles become
    administrators: they could export and read the audit log, and an upgrade takes no one's work away.
    """
    columns = {column["name"] for column in sa.inspect(connection).get_columns(conversations.name)}
    if not {column.name for column in conversations.columns} <= columns:
        conversations.drop(connection)
        conversations.create(connection)
    columns = {column["name"] for column in sa.inspect(connection).get_columns(marks.name)}
    if "reviewed_up_to" not in columns:
        connection.execute(sa.text(f"ALTER TABLE {marks.name} ADD COLUMN reviewed_up_to INTEGER NOT NULL DEFAULT 0"))
    columns = {column["name"] for column in sa.inspect(connection).get_columns(staff.name)}
    if "role" not in columns:
        # with the default a new table has; the accounts already there then become administrators
        connection.execute(
            sa.text(f"ALTER TABLE {staff.name} ADD COLUMN role VARCHAR(20) NOT NULL DEFAULT '{roles.NEW_ACCOUNT}'")
        )
        connection.execute(staff.update().values(role=roles.EARLIER_ACCOUNTS))


def prepare(settings: Settings) -> None:
    """Create the app's tables; on PostgreSQL, first check that its role can only read the conversations."""
    engine = own_tables_engine(settings)
    if not settings.on_postgresql:
        with engine.begin() as connection:
            REVIEW.create_all(connection)
            _bring_up_to_date(connection)
        engine.dispose()
        return
    try:
        with engine.begin() as connection:
            if connection.execute(sa.text("SELECT to_regclass('events')")).scalar() is None:
                raise StoreUnavailableError(
                    "There is no events table yet: start the assistant once, or run `python -m review.postgres`."
                )
            can_write = connection.execute(
                sa.text(
                    "SELECT bool_or(has_table_privilege(current_user, 'events', privilege)) "
                    "FROM unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS privilege"
                )
            ).scalar()
            if can_write:
                raise StoreUnavailableError(
                    f"The role {settings.review_user} can change the conversations; the review app must only "
                    "read them. Give it a role of its own (`python -m review.postgres`)."
                )
            REVIEW.create_all(connection)
            _bring_up_to_date(connection)
    except sa.exc.OperationalError as error:
        raise StoreUnavailableError(f"Cannot open the review database: {str(error.orig).strip()}") from error
    finally:
        engine.dispose()


def chunks(items: list, size: int = 500) -> list[list]:
    """Lists short enough for one `IN (...)` (SQLite allows some thousand parameters)."""
    return [items[start : start + size] for start in range(0, len(items), size)]
