"""Rasa's SQL tracker store, made safe for health conversations: contact details redacted, no silent memory.

Named in endpoints.yml, it is the one door every channel's conversation goes through, so redacting
here covers them all. The NLU has run on the original message before anything is saved, so the
crisis detector still sees what the person wrote; only what is stored (and what the event broker
is sent) is redacted.

Rasa 3.6 falls back to an in-memory store when a tracker store cannot be built from its module
(any AttributeError or ImportError, such as a missing database driver) and, for SQL, waits forever
for a database that does not answer. Conversations kept only in memory would vanish, crisis ones
included, without anyone knowing. Here a store that cannot be opened stops the server with a
message that says what to fix.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from brokers.crisis_alert import CrisisAlertBroker
from stores.redaction import redact_event

logger = logging.getLogger(__name__)

DIALECTS = ("sqlite", "postgresql")
RETRY_PAUSE_SECONDS = 2
# A server that answers with one of these is coming up or going down: worth waiting for.
TRANSIENT_REFUSALS = ("starting up", "shutting down", "in recovery mode", "too many clients")


class ConversationStoreUnavailable(RasaException):
    """The conversation store cannot be used; the server must not start without it."""


@functools.cache
def event_class(type_name: str) -> type[Event]:
    # Rasa's own lookup walks every subclass of Event for each event it reads back: about a tenth of a
    # busy server's time, as a conversation is read back once per message.
    return Event.resolve_by_type(type_name)


def event_from_dict(data: dict[str, Any]) -> Event:
    return event_class(data["event"])._from_parameters(data)


def redacted(event: Event) -> Event:
    return event_from_dict(redact_event(event.as_dict()))


def worth_retrying(error: sa.exc.OperationalError) -> bool:
    """True while the database may still come up; false when it answered and refused (a wrong
    password or database name does not fix itself)."""
    message = str(error.orig)
    return "FATAL" not in message or any(refusal in message for refusal in TRANSIENT_REFUSALS)


def wait_for_database(url: sa.engine.URL | str, seconds: float) -> None:
    engine = sa.create_engine(url, **create_engine_kwargs(url))
    shown = engine.url.render_as_string(hide_password=True)
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                with engine.connect():
                    return
            except sa.exc.OperationalError as error:
                if engine.url.get_backend_name() == "sqlite" or not worth_retrying(error):
                    reason = str(error.orig).strip()
                elif time.monotonic() < deadline:
                    logger.warning("The conversation store at %s does not answer yet; retrying.", shown)
                    time.sleep(RETRY_PAUSE_SECONDS)
                    continue
                else:
                    reason = f"no answer within {seconds:.0f} s ({str(error.orig).strip()})"
                raise ConversationStoreUnavailable(
                    f"Cannot open the conversation store at {shown}: {reason}. Check TRACKER_DB_DIALECT, "
                    "TRACKER_DB and, for PostgreSQL, TRACKER_DB_HOST, TRACKER_DB_PORT, TRACKER_DB_USER and "
                    "TRACKER_DB_PASSWORD. The server does not start without its conversation store."
                ) from error
    finally:
        engine.dispose()


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | str | None = None,
        db: str = "rasa.db",
        username: str | None = None,
        password: str | None = None,
        event_broker: EventBroker | None = None,
        login_db: str | None = None,
        query: dict | None = None,
        connect_seconds: float = 30,
        **kwargs: Any,
    ) -> None:
        # endpoints.yml needs every variable set; an empty one means "not used"
        host, port, username, password = (value or None for value in (host, port, username, password))
        if (dialect or "").split("+")[0] not in DIALECTS:
            raise ConversationStoreUnavailable(
                f"TRACKER_DB_DIALECT is {dialect!r}: it must be one of {', '.join(DIALECTS)}."
            )
        if not db:
            raise ConversationStoreUnavailable(
                "TRACKER_DB is empty: set it to the SQLite file or the PostgreSQL database name."
            )
        try:
            url = self.get_db_url(dialect, host, port, db, username, password, login_db, query)
            wait_for_database(url, connect_seconds)
            super().__init__(
                domain, dialect, host, port, db, username, password, event_broker, login_db, query, **kwargs
            )
        except (AttributeError, ImportError) as error:
            # Rasa would swallow these and keep conversations in memory
            raise ConversationStoreUnavailable(f"Cannot open the conversation store: {error}") from error
        if isinstance(event_broker, CrisisAlertBroker):
            event_broker.keep_pending_in(self.engine)
        if self.engine.url.get_backend_name() == "sqlite":
            # write-ahead logging: the review app reads while the assistant writes, neither waits
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        logger.info("Conversations are stored in %s, with contact details redacted.", self.engine.url.database)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """Rasa's, with each event's class found once per type (event_class)."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
            events = [event_from_dict(json.loads(row.data)) for row in rows]
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Nothing here: Rasa's save calls this to read the whole conversation back only to find the new
        events, which _additional_events finds anyway by counting the stored ones; it sends them."""

    def _additional_events(self, session: sa.orm.Session, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events to store, redacted (Rasa's save writes exactly these), each sent to the event broker
        too, before it is stored, as Rasa does: what leaves the server is what is stored."""
        new_events = [redacted(event) for event in super()._additional_events(session, tracker)]
        if self.event_broker:
            for event in new_events:
                self.event_broker.publish({"sender_id": tracker.sender_id, **event.as_dict()})
        return iter(new_events)
