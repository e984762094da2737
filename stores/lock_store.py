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
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


class LockStoreMisconfigured(RasaException):
    """The lock store's settings cannot work; the server must not start with them."""


class PlaceKeepingLockStore(LockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = dict(endpoint_config.kwargs)
        storage_type = settings.pop("storage", None) or "in_memory"
        self.storage = LockStore.create(EndpointConfig(endpoint_config.url, type=storage_type, **settings))
        if isinstance(self.storage, InMemoryLockStore) and int(os.environ.get("SANIC_WORKERS", 1)) > 1:
            # Rasa refuses several workers with its in-memory store; named here, it cannot tell.
            raise LockStoreMisconfigured("SANIC_WORKERS above 1 needs LOCK_STORE_TYPE=redis: workers share no memory")
        super().__init__()

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
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            # The renewed queue always holds this ticket: it is served when it is the first.
            while (lock := self.renew_ticket(conversation_id, ticket, lock_lifetime)).tickets[0].number != ticket:
                await asyncio.sleep(wait_time_in_seconds)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)

    def renew_ticket(self, conversation_id: str, number: int, lifetime: float) -> TicketLock:
        """The conversation's queue with this ticket in it, expiring `lifetime` from now; expired ones gone."""
        stored = self.get_lock(conversation_id)
        lock = stored or self.create_lock(conversation_id)
        lock.remove_expired_tickets()
        ticket = next((ticket for ticket in lock.tickets if ticket.number == number), None)
        if ticket is None:
            logger.warning("The lock of conversation %s had lost a waiting message's ticket; put back", conversation_id)
            ticket = Ticket(number, 0)
            lock.tickets = deque(sorted([*lock.tickets, ticket], key=lambda each: each.number))
        ticket.expires = time.time() + lifetime
        self.save_lock(lock)
        return lock
