"""Several Rasa servers sharing one conversation store: PostgreSQL for the conversations, Redis for the locks.

Each run gets a throwaway PostgreSQL database (dropped afterwards) and its own Redis key prefix, so it
neither sees nor leaves anything behind. The servers share one action server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa

from scripts.stack import (
    ACTION_SERVER_UNDER_LOAD,
    POSTGRES_SERVER,
    Rasa,
    Server,
    lock_store_on_redis,
    postgresql_tracker,
    start_actions,
    start_rasa,
    throwaway_postgresql_database,
)

REDIS_PORT, REDIS_DB = 6379, 1
# A ticket of a server that died holding it blocks its conversation until it expires: Rasa's default
# is 60 s; shorter here so the kill test's retries do not wait a minute.
LOCK_LIFETIME_SECONDS = "15"


@pytest.fixture(scope="session")
def shared_database() -> Iterator[str]:
    with throwaway_postgresql_database("trd_scale") as name:
        yield name


@pytest.fixture(scope="session")
def events_table(shared_database: str) -> Iterator[sa.engine.Engine]:
    """The conversation store read directly, not through Rasa: what is really stored."""
    engine = sa.create_engine(f"{POSTGRES_SERVER}/{shared_database}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def redis_lock_store() -> Iterator[dict[str, str]]:
    """endpoints.yml's LOCK_STORE_* variables for Redis, under a key prefix of this run's own."""
    prefix = f"trdscale{uuid.uuid4().hex[:8]}"
    yield {**lock_store_on_redis(REDIS_PORT, REDIS_DB, prefix), "TICKET_LOCK_LIFETIME": LOCK_LIFETIME_SECONDS}
    client = redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=REDIS_DB)
    left = list(client.scan_iter(f"{prefix}:*"))
    if left:
        client.delete(*left)
    client.close()


@pytest.fixture(scope="session")
def scale_action_server() -> Iterator[Server]:
    """The servers' one action server (its own, so its log is this suite's: logs/test-scale-actions.log)."""
    server = start_actions("scale-actions", extra_env=ACTION_SERVER_UNDER_LOAD)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def start_shared_server(scale_action_server: Server, shared_database: str, redis_lock_store: dict, tmp_path_factory):
    """Starts a Rasa server on the shared PostgreSQL database and Redis lock store; stops it at the end."""
    tracker = postgresql_tracker(shared_database)
    started: list[Rasa] = []

    def start(name: str) -> Rasa:
        tmp = tmp_path_factory.mktemp(name)
        server = start_rasa(
            name, tmp, f"{scale_action_server.url}/webhook", tracker=tracker, extra_env=redis_lock_store
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def two_servers(start_shared_server) -> tuple[Rasa, Rasa]:
    # one after the other: the first creates the events table, which two at once could both try
    return start_shared_server("scale-a"), start_shared_server("scale-b")
