"""The lock store that endpoints.yml names, on both of its storages: Rasa's in-memory one and a real Redis.

A message waits behind the one before it in its conversation; when that one belonged to a server that
died, its ticket runs out and the waiting message is served, however late its look at the queue comes.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

import stores.lock_store
from scripts.stack import RedisServer, throwaway_redis_server
from stores.lock_store import REDIS_TIMEOUT_SECONDS, LockStoreMisconfigured, PlaceKeepingLockStore

REDIS = {"url": "127.0.0.1", "port": 6379, "db": 1}
# The dead ticket runs out 2 s after it was taken; the waiter, taken just after it, looks every 1.5 s,
# so no look falls between the two tickets' ends: the gap a busy server's event loop makes.
LIFETIME_SECONDS = 2
LOOK_EVERY_SECONDS = 1.5


@pytest.fixture(params=["in_memory", "redis"])
def store(request) -> Iterator[PlaceKeepingLockStore]:
    prefix = f"trdlocktest{uuid.uuid4().hex[:8]}"
    yield PlaceKeepingLockStore(
        EndpointConfig(
            type="stores.lock_store.PlaceKeepingLockStore", storage=request.param, key_prefix=prefix, **REDIS
        )
    )
    client = redis.Redis(host=REDIS["url"], port=REDIS["port"], db=REDIS["db"])
    left = list(client.scan_iter(f"{prefix}:*"))
    if left:
        client.delete(*left)
    client.close()


async def wait_and_note(store: PlaceKeepingLockStore, conversation: str, name: str, served: list[str]) -> None:
    async with store.lock(conversation, lock_lifetime=LIFETIME_SECONDS, wait_time_in_seconds=LOOK_EVERY_SECONDS):
        served.append(name)


def run_with_deadline(*waiters, seconds: float = 10) -> None:
    async def all_of_them():
        await asyncio.wait_for(asyncio.gather(*waiters), seconds)

    asyncio.run(all_of_them())


def test_a_message_behind_a_dead_servers_ticket_is_served_when_that_ticket_runs_out(store):
    conversation = uuid.uuid4().hex
    store.issue_ticket(conversation, LIFETIME_SECONDS)  # taken by a server that then died
    served: list[str] = []

    run_with_deadline(wait_and_note(store, conversation, "waiting message", served))

    assert served == ["waiting message"]
    assert store.get_lock(conversation) is None, "the queue is left behind after its last message"


def test_messages_waiting_behind_a_dead_servers_ticket_are_served_in_the_order_they_came(store):
    conversation = uuid.uuid4().hex
    store.issue_ticket(conversation, LIFETIME_SECONDS)
    served: list[str] = []

    async def one_after_another():
        first = asyncio.create_task(wait_and_note(store, conversation, "first", served))
        await asyncio.sleep(0.3)
        await asyncio.gather(first, wait_and_note(store, conversation, "second", served))

    run_with_deadline(one_after_another())

    assert served == ["first", "second"]


def test_a_waiting_message_whose_ticket_was_dropped_from_the_queue_is_still_served(store):
    # Another server writing the queue back at the same moment can drop a ticket it did not see.
    conversation = uuid.uuid4().hex
    store.issue_ticket(conversation, LIFETIME_SECONDS)
    served: list[str] = []

    async def drop_the_queue_while_it_waits():
        waiting = asyncio.create_task(wait_and_note(store, conversation, "waiting message", served))
        await asyncio.sleep(0.5)
        store.delete_lock(conversation)
        await waiting

    run_with_deadline(drop_the_queue_while_it_waits())

    assert served == ["waiting message"]


def test_several_workers_with_the_in_memory_storage_are_refused(monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(LockStoreMisconfigured, match="LOCK_STORE_TYPE=redis"):
        PlaceKeepingLockStore(EndpointConfig(type="stores.lock_store.PlaceKeepingLockStore", storage="in_memory"))


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    with throwaway_redis_server(tmp_path) as server:
        yield server


def store_on(server: RedisServer) -> PlaceKeepingLockStore:
    config = EndpointConfig("127.0.0.1", type="x", storage="redis", port=server.port, db=0, key_prefix="trdfaults")
    return PlaceKeepingLockStore(config)


def serve(store: PlaceKeepingLockStore, conversation: str) -> float:
    """Seconds until the message was served."""

    async def one_message() -> float:
        started = time.monotonic()
        async with store.lock(conversation):
            return time.monotonic() - started

    return asyncio.run(asyncio.wait_for(one_message(), 30))


def outage_logs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "Redis" in r.getMessage()]


def test_with_redis_stopped_messages_are_served_under_the_servers_own_lock_and_staff_told_once(own_redis, caplog):
    store = store_on(own_redis)
    own_redis.stop()

    with caplog.at_level(logging.ERROR, logger="stores.lock_store"):
        serve(store, "first person")
        serve(store, "second person")

    assert len(outage_logs(caplog)) == 1, outage_logs(caplog)


def test_with_redis_hung_one_message_waits_its_timeout_and_the_next_ones_do_not_wait(own_redis):
    store = store_on(own_redis)
    serve(store, "before")  # connected: a hung server then keeps the connection open and never answers
    own_redis.pause()

    first = serve(store, "first person")
    after = serve(store, "second person")

    assert first < 4 * REDIS_TIMEOUT_SECONDS, "Rasa's own timeout is 10 s per call"
    assert after < REDIS_TIMEOUT_SECONDS, "a message after the failure tried Redis again"


def test_during_an_outage_one_persons_messages_still_wait_for_each_other(own_redis):
    store = store_on(own_redis)
    own_redis.stop()
    served: list[str] = []

    async def hold(name: str) -> None:
        async with store.lock("one person", wait_time_in_seconds=0.1):
            served.append(f"{name} starts")
            await asyncio.sleep(0.3)
            served.append(f"{name} ends")

    async def two_messages():
        first = asyncio.create_task(hold("first"))
        await asyncio.sleep(0.05)
        await asyncio.gather(first, hold("second"))

    run_with_deadline(two_messages())

    assert served == ["first starts", "first ends", "second starts", "second ends"]


def test_once_redis_is_back_messages_are_queued_there_again(own_redis, monkeypatch):
    monkeypatch.setattr(stores.lock_store, "UNREACHABLE_REST_SECONDS", 0.5)
    store = store_on(own_redis)
    own_redis.stop()
    serve(store, "during the outage")
    own_redis.start()
    time.sleep(0.6)

    async def message_seen_in_redis() -> bool:
        async with store.lock("after the outage"):
            return store.storage.get_lock("after the outage") is not None

    assert asyncio.run(message_seen_in_redis())
