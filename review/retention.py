"""Deletes old conversations: those whose last event is older than the retention period.

    python -m review.retention [--days N] [--dry-run]      (N: RETENTION_DAYS, 90 by default)

A crisis conversation (the crisis flag set, or the crisis reply sent) is kept, however old, until a
staff member has marked it reviewed. With a conversation go the app's notes, tags, reviewed mark and
index row, in the transaction that deletes its events: a failure midway leaves the conversation whole.
The audit log keeps its lines, but those older than the retention period lose the conversation id and
the words searched for. A scheduler runs it daily (deploy/).

It signs in once, as TRACKER_DB_USER, and reaches the conversations and the app's tables through that one
connection, so that one transaction covers both. On SQLite that is the conversation file with the app's
file attached. On PostgreSQL it is a role of its own (deploy/postgres/ makes it): the review role's
rights on the app's tables, and DELETE on the conversations, which the review app's role may only read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

import sqlalchemy as sa

from content_library.load import CRISIS_FLAG_SLOT, CRISIS_REPLY
from review import audit
from review.conversation_facts import is_crisis_event, stored_data
from review.database import (
    PER_CONVERSATION,
    StoreUnavailableError,
    chunks,
    events,
    marks,
    prepare,
    tracker_engine,
)
from review.database import audit as audit_log
from review.postgres import SCHEMA
from review.settings import Settings, SettingsError

DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Outcome:
    deleted: list[str]
    kept_for_review: list[str]
    events_deleted: int


def deleting_engine(settings: Settings) -> sa.engine.Engine:
    """The conversation store as TRACKER_DB_USER, with the app's tables in reach of the same connection."""
    engine = tracker_engine(settings)

    @sa.event.listens_for(engine, "connect")
    def reach_the_app_tables(connection, _record) -> None:
        cursor = connection.cursor()
        if settings.on_postgresql:
            cursor.execute(f"SET search_path TO {SCHEMA}, public")
        else:
            cursor.execute("ATTACH DATABASE ? AS app", (str(settings.review_file),))
            # SQLite leaves a deleted row's bytes in the file's free space until it reuses the space, where
            # they can be read from the file or any copy of it; this zeroes them as they are deleted (in
            # every attached file, as no schema is named)
            cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()
        # a SET rolled back with the transaction it began would be undone
        connection.commit()

    return engine


def old_conversations(connection: sa.engine.Connection, cutoff: float) -> list[str]:
    query = sa.select(events.c.sender_id).group_by(events.c.sender_id).having(sa.func.max(events.c.timestamp) < cutoff)
    return list(connection.execute(query).scalars())


def crisis_among(connection: sa.engine.Connection, sender_ids: list[str]) -> dict[str, int]:
    """The id of the latest crisis event of each of these conversations that had one."""
    # the SQL narrows the rows down; is_crisis_event decides, as it does for the review app
    maybe_crisis = sa.or_(
        sa.and_(events.c.type_name == "slot", events.c.action_name == CRISIS_FLAG_SLOT),
        sa.and_(events.c.type_name == "bot", events.c.data.contains(CRISIS_REPLY)),
    )
    latest: dict[str, int] = {}
    for chunk in chunks(sender_ids):
        query = sa.select(events.c.id, events.c.sender_id, events.c.type_name, events.c.data).where(
            events.c.sender_id.in_(chunk), maybe_crisis
        )
        for row in connection.execute(query):
            if is_crisis_event(row.type_name, stored_data(row.data)):
                latest[row.sender_id] = max(row.id, latest.get(row.sender_id, 0))
    return latest


def reviewed_among(connection: sa.engine.Connection, sender_ids: list[str]) -> dict[str, int]:
    """Each marked conversation's last event its reviewer saw."""
    found: dict[str, int] = {}
    for chunk in chunks(sender_ids):
        query = sa.select(marks.c.sender_id, marks.c.reviewed_up_to).where(marks.c.sender_id.in_(chunk))
        found.update(connection.execute(query).all())
    return found


def conversations_due(connection: sa.engine.Connection, cutoff: float) -> tuple[list[str], list[str]]:
    """The old conversations to delete, and the old crisis conversations kept for review."""
    old = old_conversations(connection, cutoff)
    crisis = crisis_among(connection, old)
    reviewed = reviewed_among(connection, sorted(crisis))
    # a crisis after the point its review covered keeps the conversation for review
    waiting = {sender_id for sender_id, last in crisis.items() if reviewed.get(sender_id, -1) < last}
    return [sender_id for sender_id in old if sender_id not in waiting], sorted(waiting)


def delete_conversations(
    connection: sa.engine.Connection, sender_ids: list[str], cutoff: float
) -> tuple[list[str], int]:
    """Deletes these conversations' events and the app's rows about them, in the caller's transaction;
    returns the conversations deleted and the number of events."""
    # a conversation that came back to life since it was found old is left alone, decided by the deleting
    # statement itself; one with any event left keeps the app's rows about it
    recent = events.alias("recent")
    revived = sa.select(recent.c.sender_id).where(recent.c.sender_id.in_(sender_ids), recent.c.timestamp >= cutoff)
    count = connection.execute(
        events.delete().where(events.c.sender_id.in_(sender_ids), events.c.sender_id.not_in(revived))
    ).rowcount
    kept = set(connection.execute(sa.select(events.c.sender_id).where(events.c.sender_id.in_(sender_ids))).scalars())
    deleted = [sender_id for sender_id in sender_ids if sender_id not in kept]
    for table in PER_CONVERSATION:
        connection.execute(table.delete().where(table.c.sender_id.in_(deleted)))
    return deleted, count


def strip_old_audit_details(connection: sa.engine.Connection, cutoff: float) -> None:
    """Audit lines older than the cutoff keep who did what and when, but not which conversation or which
    words: an id would point at a person's conversation after it is gone, and words searched for are
    words people wrote."""
    old = audit_log.c.at < cutoff
    connection.execute(
        audit_log.update().where(old, audit_log.c.conversation_id.is_not(None)).values(conversation_id=None)
    )
    # searches, exports and the unanswered page record their filters, the words among them as "text"
    searched = sa.select(audit_log.c.id, audit_log.c.details).where(old, audit_log.c.details.contains('"text": '))
    for line in connection.execute(searched).all():
        details = json.loads(line.details)
        if details.get("filters", {}).pop("text", None) is not None:
            stripped = json.dumps(details, sort_keys=True)
            connection.execute(audit_log.update().where(audit_log.c.id == line.id).values(details=stripped))


def apply_retention(settings: Settings, days: int, dry_run: bool = False, now: float | None = None) -> Outcome:
    cutoff = (time.time() if now is None else now) - days * DAY_SECONDS
    engine = deleting_engine(settings)
    deleted, events_deleted = [], 0
    try:
        with engine.connect() as connection:
            with connection.begin():
                doomed, waiting = conversations_due(connection, cutoff)
            if dry_run:
                return Outcome(doomed, waiting, 0)
            for chunk in chunks(doomed):
                # On SQLite a statement that fails rolls the transaction back in both files. Only a crash
                # in the instant of the commit could finish one file and not the other: in WAL mode (the
                # conversation file's) SQLite commits attached files one by one.
                with connection.begin():
                    gone, count = delete_conversations(connection, chunk, cutoff)
                deleted += gone
                events_deleted += count
            with connection.begin():
                strip_old_audit_details(connection, cutoff)
                audit.record(
                    connection,
                    "retention",
                    client="command line",
                    details={"days": days, "deleted": len(deleted), "kept_for_review": len(waiting)},
                )
            if not settings.on_postgresql:
                # the write-ahead log still holds the pages as they were before the deletion: this copies
                # the zeroed ones into the file and empties the log (a reader in the way leaves it to
                # SQLite's own checkpoints, after which the log is written over from its start)
                connection.exec_driver_sql("PRAGMA main.wal_checkpoint(TRUNCATE)").close()
    finally:
        engine.dispose()
    return Outcome(deleted, waiting, events_deleted)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, help="keep this many days (default: RETENTION_DAYS, or 90)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        days = args.days if args.days is not None else settings.retention_days
        if days < 1:
            raise SettingsError("Keep at least one day.")
        if not settings.on_postgresql:
            # the app's file and tables, should this run before the app ever has; on PostgreSQL the app
            # makes its tables as their owner, a role this one is not
            prepare(settings)
        outcome = apply_retention(settings, days, dry_run=args.dry_run)
    except (SettingsError, StoreUnavailableError) as error:
        sys.exit(f"Retention did not run: {error}")
    except sa.exc.DBAPIError as error:
        sys.exit(
            f"Retention stopped: the database refused: {str(error.orig).strip()}\n"
            "A conversation is deleted whole or not at all: run it again once this is put right."
        )
    verb = "Would delete" if args.dry_run else "Deleted"
    print(f"{verb} {len(outcome.deleted)} conversations with no message in the last {days} days.")
    if not args.dry_run:
        print(f"  ({outcome.events_deleted} stored events)")
    print(f"Kept {len(outcome.kept_for_review)} older crisis conversations that no one has marked reviewed yet.")


if __name__ == "__main__":
    main()
