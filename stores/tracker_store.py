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

Mid-run, Rasa wraps the store in a fail-safe one that answers any error with memory: the
conversation starts again blank (its crisis flag gone), and the turn is never stored. Here:
- a connection is checked before use (a database restart leaves the pool's connections dead);
- a read or save that meets a dropped connection or a database coming back is tried again after a
  growing pause, for about six seconds, and then fails loudly: the channel tells the person in plain
  words and the log tells staff, and nothing is kept in memory;
- the events to store are found by identity (type and time), not by counting the stored ones: a turn
  saved late, or by another server, is never taken for one already stored;
- a crisis reply in a turn that could not be stored is still handed to the alert broker.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from brokers.crisis_alert import CrisisAlertBroker
from stores.redaction import redact_event

logger = logging.getLogger(__name__)

DIALECTS = ("sqlite", "postgresql")
RETRY_PAUSE_SECONDS = 2
# A server that answers with one of these is coming up or going down: worth waiting for.
TRANSIENT_REFUSALS = ("starting up", "shutting down", "in recovery mode", "too many clients")
# Pauses before each new try of a read or save that met a dropped connection: 5.7 s in all, about what
# a restart of PostgreSQL takes. Longer would hold the person's reply, and every other one, too long.
RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 2.0)
CONNECT_SECONDS = 3  # a PostgreSQL server that does not answer a new connection within this is down

T = TypeVar("T")


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


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """A lost connection, a database restarting or busy: another try may succeed."""
    if isinstance(error, sa.exc.InterfaceError) or error.connection_invalidated:
        return True
    return isinstance(error, sa.exc.OperationalError) and worth_retrying(error)


def latest_turn(tracker: DialogueStateTracker) -> list[Event]:
    """The events from the latest message on: the turn that was just processed."""
    events = list(tracker.events)
    starts = [place for place, event in enumerate(events) if isinstance(event, UserUttered)]
    return events[starts[-1] :] if starts else events


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
        self._checking_connections()
        if isinstance(event_broker, CrisisAlertBroker):
            event_broker.keep_pending_in(self.engine)
        if self.engine.url.get_backend_name() == "sqlite":
            # write-ahead logging: the review app reads while the assistant writes, neither waits
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        logger.info("Conversations are stored in %s, with contact details redacted.", self.engine.url.database)

    def _checking_connections(self) -> None:
        """The engine again, with each pooled connection checked before use and a bound on connecting."""
        url = self.engine.url
        options = create_engine_kwargs(url)
        if url.get_backend_name() == "postgresql":
            options["connect_args"] = {**options.get("connect_args", {}), "connect_timeout": CONNECT_SECONDS}
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **options)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retried(self, doing: str, sender_id: str, attempt: Callable[[], Awaitable[T]]) -> T:
        for pause in (*RETRY_PAUSES, None):
            try:
                return await attempt()
            except sa.exc.DBAPIError as error:
                # The driver's own message only: SQLAlchemy's error, and so its traceback, carries the
                # statement's parameters, which for a save are what the person wrote.
                reason = str(error.orig).strip() or type(error.orig).__name__
                if pause is None or not is_transient(error):
                    logger.error("Could not %s conversation %s in the conversation store: %s", doing, sender_id, reason)
                    raise ConversationStoreUnavailable(
                        f"The conversation store did not answer: conversation {sender_id} was not {doing}d ({reason})."
                    ) from None
                logger.warning(
                    "The conversation store failed to %s conversation %s (%s); trying again in %.1f s.",
                    doing,
                    sender_id,
                    reason,
                    pause,
                )
                await asyncio.sleep(pause)
        raise AssertionError("unreachable: the last pause is None")

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """Rasa's, tried again on a dropped connection, with each event's class found once per type."""

        async def attempt() -> list[Event]:
            with self.session_scope() as session:
                rows = self._event_query(session, sender_id, fetch_events_from_all_sessions).all()
                return [event_from_dict(json.loads(row.data)) for row in rows]

        events = await self._retried("read", sender_id, attempt)
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._retried("store", tracker.sender_id, lambda: super(RedactingSQLTrackerStore, self).save(tracker))
        except ConversationStoreUnavailable:
            # The person may have had the crisis reply: staff must hear of it all the same. The turn is
            # what this server knows to be new; the alert broker drops an alert it already holds.
            self._publish(tracker.sender_id, [redacted(event) for event in latest_turn(tracker)])
            raise

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Nothing here: Rasa's save calls this to read the whole conversation back only to find the new
        events, which _additional_events finds anyway; it sends them."""

    def _additional_events(self, session: sa.orm.Session, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events to store, redacted (Rasa's save writes exactly these), each sent to the event broker
        too, before it is stored, as Rasa does: what leaves the server is what is stored.

        Rasa takes the tracker's events after as many as are stored; a turn stored meanwhile by another
        server, or a save that comes late, would make it skip a turn. Here an event is new when no stored
        event of the conversation's session has its type and time (counted, for two at the same time)."""
        session_events = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
        keys = session_events.with_entities(self.SQLEvent.type_name, self.SQLEvent.timestamp)
        stored = Counter(tuple(key) for key in keys)
        new_events = []
        for event in tracker.events:
            key = (event.type_name, event.timestamp)
            if stored[key]:
                stored[key] -= 1
            else:
                new_events.append(redacted(event))
        self._publish(tracker.sender_id, new_events)
        return iter(new_events)

    def _publish(self, sender_id: str, events: list[Event]) -> None:
        if self.event_broker:
            for event in events:
                self.event_broker.publish({"sender_id": sender_id, **event.as_dict()})


def _without_memory_fallback(store: TrackerStore | None, domain: Domain) -> TrackerStore:
    # Agent._create_tracker_store wraps every store in a FailSafeTrackerStore, which no setting turns
    # off. For this store its memory fallback is the fault: the error must reach the channel instead.
    if isinstance(store, RedactingSQLTrackerStore):
        store.domain = domain
        return store
    return _rasa_create_tracker_store(store, domain)


_rasa_create_tracker_store = Agent._create_tracker_store
Agent._create_tracker_store = staticmethod(_without_memory_fallback)
