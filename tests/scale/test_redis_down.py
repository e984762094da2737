"""A Rasa server whose shared lock store (Redis, a process of this test's own) stops or hangs still
answers at once, a crisis message included; staff find the outage in its log."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
import requests

from scripts.stack import Rasa, RedisServer, lock_store_on_redis, start_rasa, throwaway_redis_server
from tests.replies import TOPICS, texts
from tests.test_crisis import CRISIS_MESSAGE, SELF_OPENING

# Far below what Rasa's own store takes with Redis hung: 10 s per call, then no reply at all.
PROMPT_SECONDS = 5


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory) -> Iterator[RedisServer]:
    with throwaway_redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def rasa_on_own_redis(own_redis: RedisServer, scale_action_server, tmp_path_factory) -> Iterator[Rasa]:
    tmp = tmp_path_factory.mktemp("redis-down")
    lock_store = lock_store_on_redis(own_redis.port, db=0, key_prefix="trd")
    server = start_rasa("redis-down", tmp, f"{scale_action_server.url}/webhook", extra_env=lock_store)
    yield server
    server.stop()


def commands_served(server: RedisServer) -> int:
    client = redis.Redis(host="127.0.0.1", port=server.port)
    try:
        return client.info("stats")["total_commands_processed"]
    finally:
        client.close()


def answer_through_redis(rasa: Rasa, server: RedisServer, sender: str) -> None:
    """Sends until a reply has gone through Redis: after an outage the server leaves it alone for a while."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        before = commands_served(server)
        assert texts(rasa.say(sender, "hi")), "the server answers while Redis is up"
        if commands_served(server) > before + 1:  # the second reading is one command itself
            return
        time.sleep(1)
    raise AssertionError("the server did not go back to Redis within 30 s")


def timed_reply(rasa: Rasa, sender: str, message: str) -> tuple[float, list[str]]:
    started = time.monotonic()
    replies = texts(rasa.say(sender, message))
    return time.monotonic() - started, replies


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_with_redis_down_a_crisis_message_gets_its_reply_at_once(rasa_on_own_redis, own_redis, fault, sender):
    answer_through_redis(rasa_on_own_redis, own_redis, sender)
    log_before = len(rasa_on_own_redis.log.read_text())
    own_redis.stop() if fault == "stopped" else own_redis.pause()
    try:
        seconds, replies = timed_reply(rasa_on_own_redis, sender, CRISIS_MESSAGE)
        assert any(reply.startswith(SELF_OPENING) for reply in replies), replies
        assert seconds < PROMPT_SECONDS, f"the crisis reply took {seconds:.1f} s"
        _, replies = timed_reply(rasa_on_own_redis, f"{sender}-other", "what is treatment resistant depression")
        assert TOPICS["what_is_trd"].answer_text in replies
    finally:
        own_redis.resume() if fault == "hung" else own_redis.start()
    log = rasa_on_own_redis.log.read_text()[log_before:]
    assert "The shared lock store (Redis) cannot be reached" in log


def readiness(rasa: Rasa) -> requests.Response:
    return requests.get(f"{rasa.url}/webhooks/ready/", timeout=10)


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_the_readiness_check_names_redis_down_and_keeps_the_server_in_service(rasa_on_own_redis, own_redis, fault):
    assert readiness(rasa_on_own_redis).json() == {
        "ready": True,
        "conversation_store": "reachable",
        "lock_store": "reachable",
    }
    own_redis.stop() if fault == "stopped" else own_redis.pause()
    try:
        started = time.monotonic()
        answer = readiness(rasa_on_own_redis)
        waited = time.monotonic() - started
    finally:
        own_redis.resume() if fault == "hung" else own_redis.start()
    # still in service: its messages are answered under its own lock meanwhile
    assert answer.status_code == 200 and answer.json()["ready"] is True
    assert answer.json()["lock_store"].startswith("unreachable")
    assert waited < PROMPT_SECONDS
