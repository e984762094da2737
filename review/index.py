"""Keeps the app's index of conversations (one row each) up to date with the stored events.

Filtering thousands of conversations straight from Rasa's events would mean reading every event's JSON
on each page. Instead each conversation's facts are computed once, from all its events, and again
whenever it has new ones. New events are found by id: `events.id` only grows. PostgreSQL assigns an id
before its transaction commits, so an event can become visible below the highest id already seen;
every refresh therefore looks back a margin of ids, and recomputing a conversation is idempotent.
"""

from __future__ import annotations

import itertools
import logging

import sqlalchemy as sa

from review.conversation_facts import StoredEvent, facts_of
from review.database import chunks, conversations, events, readable

logger = logging.getLogger(__name__)

LOOK_BACK_IDS = 1000


def _latest_event_ids(connection: sa.engine.Connection) -> dict[str, int]:
    """The newest event id of every conversation with events in the look-back window."""
    indexed_up_to = connection.execute(sa.select(sa.func.max(conversations.c.last_event_id))).scalar() or 0
    # grouped here, not in SQL: SQLite would GROUP BY along the sender_id index, through every event
    query = sa.select(events.c.sender_id, events.c.id).where(
        events.c.id > max(0, indexed_up_to - LOOK_BACK_IDS), readable
    )
    latest: dict[str, int] = {}
    for sender_id, event_id in connection.execute(query):
        latest[sender_id] = max(event_id, latest.get(sender_id, 0))
    return latest


def _indexed_up_to(connection: sa.engine.Connection, sender_ids: list[str]) -> dict[str, int]:
    indexed = {}
    for chunk in chunks(sender_ids):
        query = sa.select(conversations.c.sender_id, conversations.c.last_event_id).where(
            conversations.c.sender_id.in_(chunk)
        )
        indexed.update(connection.execute(query).all())
    return indexed


def _reindex(connection: sa.engine.Connection, sender_ids: list[str]) -> None:
    query = (
        sa.select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.sender_id.in_(sender_ids), readable)
        .order_by(events.c.sender_id, events.c.id)
    )
    rows = [
        facts_of(StoredEvent.from_row(row) for row in group).as_row(sender_id)
        for sender_id, group in itertools.groupby(connection.execute(query), key=lambda row: row.sender_id)
    ]
    connection.execute(conversations.delete().where(conversations.c.sender_id.in_(sender_ids)))
    if rows:
        connection.execute(conversations.insert(), rows)


def refresh(engine: sa.engine.Engine) -> int:
    """Index the conversations that have new events; returns how many there were."""
    with engine.begin() as connection:
        latest = _latest_event_ids(connection)
        indexed = _indexed_up_to(connection, list(latest))
        changed = [sender_id for sender_id, newest in latest.items() if indexed.get(sender_id, -1) < newest]
        for chunk in chunks(changed):
            _reindex(connection, chunk)
    if len(changed) > 100:
        logger.info("Indexed %d conversations.", len(changed))
    return len(changed)
