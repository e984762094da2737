"""Rasa's lock store (in memory for one server, Redis for several), with a message that waits keeping its place.

Rasa's lock is a ticket queue: each message of a conversation takes a numbered ticket that expires
after `TICKET_LOCK_LIFETIME` seconds and waits until its ticket is the first one left. Every ticket
expires, waiting ones included. When the ticket ahead belongs to a server that died (or a message
that took the whole lifetime), the waiting ticket runs out at about the same moment; if one look at
the queue (once a second, later on a busy server) sees both gone, Rasa's waiting loop goes on for
ever: the queue is empty, "now serving" reads 0, and its ticket number is not 0. The message never
gets an answer and its loop never ends. Here a waiting message renews its own ticket on every look,
so a ticket runs out only when its holder stops looking: a holder that died, or a message that has
been answered for longer than the lifetime. It is put back if something else dropped it.

When the shared store (Redis) cannot be reached or does not answer within half a second, a message
is served under this server's own in-memory lock instead, and the shared store is left alone for ten
seconds, so that no reply, a crisis reply least of all, waits on it. Each outage is logged once for
staff. The proxy keeps a conversation on one server, so its own lock still keeps one person's
messages in order; what is lost for that time is only the guard against two servers answering one
conversation at the same moment.

Named in endpoints.yml; `storage` (LOCK_STORE_TYPE) picks where the queue is kept, with the same
settings as Rasa's own store of that type.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Redis next to the servers answers in milliseconds; Rasa's default of 10 s per call would hold every
# reply for tens of seconds while Redis hangs.
REDIS_TIMEOUT_SECONDS = 0.5
# After the shared store fails, messages skip it for this long rather than each wait for its timeout.
UNREACHABLE_REST_SECONDS = 10
STORAGE_ERRORS = (LockError, RedisError)


class LockStoreMisconfigured(RasaException):
    """The lock store's settings cannot work; the server must not start with them."""


class PlaceKeepingLockStore(LockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = dict(endpoint_config.kwargs)
        storage_type = settings.pop("storage", None) or "in_memory"
        if storage_type == "redis":
            settings.setdefault("socket_timeout", REDIS_TIMEOUT_SECONDS)
        self.storage = LockStore.create(EndpointConfig(endpoint_config.url, type=storage_type, **settings))
        if isinstance(self.storage, InMemoryLockStore) and int(os.environ.get("SANIC_WORKERS", 1)) > 1:
            # Rasa refuses several workers with its in-memory store; named here, it cannot tell.
            raise LockStoreMisconfigured("SANIC_WORKERS above 1 needs LOCK_STORE_TYPE=redis: workers share no memory")
        # This server's own queues, for when the shared store cannot be reached.
        self.local = self.storage if isinstance(self.storage, InMemoryLockStore) else InMemoryLockStore()
        self.skip_shared_until = 0.0
        super().__init__()

    def shared_store_state(self) -> str:
        """For the readiness check (channels/readiness.py): "in memory" on one server, else whether Redis
        answers within its timeout now."""
        if self.storage is self.local:
            return "in memory"
        try:
            self.storage.red.ping()
        except RedisError as error:
            self.skip_shared_store(error)
            return "unreachable: serving under this server's own lock"
        return "reachable"

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.storage.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.storage.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.storage.save_lock(lock)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        storage = self.local if time.monotonic() < self.skip_shared_until else self.storage
        ticket = None
        try:
            try:
                ticket = storage.issue_ticket(conversation_id, lock_lifetime)
                lock = await wait_for_turn(storage, conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
            except STORAGE_ERRORS as error:
                if storage is self.local:
                    raise
                self.skip_shared_store(error)
                storage = self.local  # a shared ticket already taken runs out by itself
                ticket = storage.issue_ticket(conversation_id, lock_lifetime)
                lock = await wait_for_turn(storage, conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
            yield lock
        finally:
            if ticket is not None:
                self.leave(storage, conversation_id, ticket)

    def leave(self, storage: LockStore, conversation_id: str, ticket: int) -> None:
        try:
            storage.cleanup(conversation_id, ticket)
        except RedisError as error:
            self.skip_shared_store(error)

    def skip_shared_store(self, error: Exception) -> None:
        if time.monotonic() >= self.skip_shared_until:
            logger.error(
                "The shared lock store (Redis) cannot be reached (%s): messages are served under this "
                "server's own lock for the next %d s",
                error,
                UNREACHABLE_REST_SECONDS,
            )
        self.skip_shared_until = time.monotonic() + UNREACHABLE_REST_SECONDS


async def wait_for_turn(
    storage: LockStore, conversation_id: str, number: int, lifetime: float, wait_seconds: float
) -> TicketLock:
    # The renewed queue always holds this ticket: it is served when it is the first.
    while (lock := renew_ticket(storage, conversation_id, number, lifetime)).tickets[0].number != number:
        await asyncio.sleep(wait_seconds)
    return lock


def renew_ticket(storage: LockStore, conversation_id: str, number: int, lifetime: float) -> TicketLock:
    """The conversation's queue with this ticket in it, expiring `lifetime` from now; expired ones gone."""
    lock = storage.get_lock(conversation_id) or storage.create_lock(conversation_id)
    lock.remove_expired_tickets()
    ticket = next((ticket for ticket in lock.tickets if ticket.number == number), None)
    if ticket is None:
        logger.warning("The lock of conversation %s had lost a waiting message's ticket; put back", conversation_id)
        ticket = Ticket(number, 0)
        lock.tickets = deque(sorted([*lock.tickets, ticket], key=lambda each: each.number))
    ticket.expires = time.time() + lifetime
    storage.save_lock(lock)
    return lock
