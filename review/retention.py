"""Deletes old conversations: those whose last event is older than the retention period.

    python -m review.retention [--days N] [--dry-run]      (N: RETENTION_DAYS, 90 by default)

A crisis conversation (the crisis flag set, or the crisis reply sent) is kept, however old, until a
staff member has marked it reviewed. With a conversation go the app's notes, tags, reviewed mark and
index row; the audit log keeps its lines (ids and times only, no text). A scheduler runs it daily.

It deletes from the conversation store as its owner (the Rasa server's TRACKER_DB_* user: the review
app's own role may only read) and from the app's tables as the app.
"""

from __future__ import annotations

import argparse
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
    own_tables_engine,
    prepare,
    tracker_engine,
)
from review.settings import Settings, SettingsError

DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Outcome:
    deleted: list[str]
    kept_for_review: list[str]
    events_deleted: int


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


def delete_events(connection: sa.engine.Connection, sender_ids: list[str], cutoff: float) -> tuple[list[str], int]:
    """Deletes these conversations' events; returns the conversations deleted and the number of events."""
    deleted, count = [], 0
    for chunk in chunks(sender_ids):
        # a conversation that came back to life since it was found old is left alone
        revived = set(
            connection.execute(
                sa.select(events.c.sender_id).where(events.c.sender_id.in_(chunk), events.c.timestamp >= cutoff)
            ).scalars()
        )
        still_old = [sender_id for sender_id in chunk if sender_id not in revived]
        count += connection.execute(events.delete().where(events.c.sender_id.in_(still_old))).rowcount
        deleted += still_old
    return deleted, count


def apply_retention(settings: Settings, days: int, dry_run: bool = False, now: float | None = None) -> Outcome:
    cutoff = (time.time() if now is None else now) - days * DAY_SECONDS
    conversations_store, own_tables = tracker_engine(settings), own_tables_engine(settings)
    events_deleted = 0
    try:
        with conversations_store.begin() as connection:
            old = old_conversations(connection, cutoff)
            crisis = crisis_among(connection, old)
            with own_tables.connect() as own:
                reviewed = reviewed_among(own, sorted(crisis))
            # a crisis after the point its review covered keeps the conversation for review
            waiting = {sender_id for sender_id, last in crisis.items() if reviewed.get(sender_id, -1) < last}
            doomed = [sender_id for sender_id in old if sender_id not in waiting]
            if not dry_run:
                doomed, events_deleted = delete_events(connection, doomed, cutoff)
        if not dry_run:
            with own_tables.begin() as own:
                for chunk in chunks(doomed):
                    for table in PER_CONVERSATION:
                        own.execute(table.delete().where(table.c.sender_id.in_(chunk)))
                audit.record(
                    own,
                    "retention",
                    client="command line",
                    details={"days": days, "deleted": len(doomed), "kept_for_review": len(waiting)},
                )
    finally:
        conversations_store.dispose()
        own_tables.dispose()
    return Outcome(doomed, sorted(waiting), events_deleted)


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
        prepare(settings)
        outcome = apply_retention(settings, days, dry_run=args.dry_run)
    except (SettingsError, StoreUnavailableError) as error:
        sys.exit(f"Retention did not run: {error}")
    except sa.exc.OperationalError as error:
        sys.exit(f"Retention did not run: the database refused: {str(error.orig).strip()}")
    verb = "Would delete" if args.dry_run else "Deleted"
    print(f"{verb} {len(outcome.deleted)} conversations with no message in the last {days} days.")
    if not args.dry_run:
        print(f"  ({outcome.events_deleted} stored events)")
    print(f"Kept {len(outcome.kept_for_review)} older crisis conversations that no one has marked reviewed yet.")


if __name__ == "__main__":
    main()
