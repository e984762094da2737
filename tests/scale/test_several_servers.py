"""Several Rasa servers answer the same conversations: PostgreSQL holds them, Redis lets one server at a time
work on each. Turns alternate between servers, so every answer that follows up ("tell me more") proves the
other server's turn was stored and read back."""

from __future__ import annotations

import asyncio
import uuid

from tests.scale.conversations import (
    SCRIPT,
    Conversation,
    StoredHistory,
    as_one_text,
    client_session,
    converse,
    converse_with_failover,
    stored_histories,
)

CONVERSATIONS = 200
KILL_TEST_CONVERSATIONS = 60
CONNECTIONS = 100
MESSAGES = [message for message, _ in SCRIPT]


def senders(count: int, label: str) -> list[str]:
    run = uuid.uuid4().hex[:6]
    return [f"{label}-{run}-{number:03d}" for number in range(count)]


def test_conversations_alternating_between_two_servers_are_stored_whole_and_answered_right(two_servers, events_table):
    urls = [server.url for server in two_servers]
    ids = senders(CONVERSATIONS, "alternating")

    async def run_all():
        async with client_session(CONNECTIONS) as session:
            # half the conversations start on each server; every turn then goes to the other one
            return await asyncio.gather(
                *(converse(session, sender, lambda turn, n=n: urls[(n + turn) % 2]) for n, sender in enumerate(ids))
            )

    conversations = asyncio.run(run_all())

    assert_every_reply_right(conversations)
    histories = stored_histories(events_table, ids)
    for conversation in conversations:
        assert_stored_as_answered(conversation, histories[conversation.sender])


def test_a_server_killed_mid_load_loses_only_the_messages_in_flight(two_servers, start_shared_server, events_table):
    survivor, doomed = two_servers[0], start_shared_server("scale-doomed")
    ids = senders(KILL_TEST_CONVERSATIONS, "failover")
    kill_after = KILL_TEST_CONVERSATIONS * len(SCRIPT) // 4
    answered = 0
    killed = asyncio.Event()

    def count_answer() -> None:
        nonlocal answered
        answered += 1
        if answered == kill_after:
            doomed.process.kill()  # no goodbye: as a crash or a lost machine
            killed.set()

    async def run_all():
        down: set[str] = set()
        servers = (survivor.url, doomed.url)
        async with client_session(CONNECTIONS) as session:
            return await asyncio.gather(
                *(
                    converse_with_failover(session, sender, servers, n % 2, down, count_answer)
                    for n, sender in enumerate(ids)
                )
            )

    conversations = asyncio.run(run_all())

    assert killed.is_set() and doomed.process.poll() is not None
    retried = [c for c in conversations if c.retried]
    assert retried, "no message was in flight when the server died: the test did not test anything"
    assert_every_reply_right(conversations)

    histories = stored_histories(events_table, ids)
    for conversation in conversations:
        stored = histories[conversation.sender]
        if not conversation.retried:
            assert_stored_as_answered(conversation, stored)
            continue
        assert stored.duplicate_rows == 0, conversation.sender
        # A message in flight may have been stored by the dying server before its reply was lost; the
        # retry then stores it again. Nothing else may be missing, added or out of order.
        assert without_retried_repeats(stored.user_texts, conversation.retried) == MESSAGES, conversation.sender


def assert_every_reply_right(conversations: list[Conversation]) -> None:
    wrong = {c.sender: c.wrong_replies() for c in conversations if c.wrong_replies()}
    assert not wrong, f"{len(wrong)} conversations got a wrong reply, e.g. {next(iter(wrong.items()))}"


def assert_stored_as_answered(conversation: Conversation, stored: StoredHistory) -> None:
    """The stored history is the conversation as its client saw it: every message and every reply, in
    order, no row twice."""
    assert stored.duplicate_rows == 0, conversation.sender
    assert stored.user_texts == MESSAGES, conversation.sender
    assert as_one_text(stored.bot_texts) == as_one_text(sum(conversation.replies, [])), conversation.sender


def without_retried_repeats(user_texts: list[str], retried: dict[int, str]) -> list[str]:
    """The stored user messages with a retried message's first, unanswered copy left out."""
    retried_messages = {SCRIPT[turn][0] for turn in retried}
    kept: list[str] = []
    for text in user_texts:
        if kept and kept[-1] == text and text in retried_messages:
            continue
        kept.append(text)
    return kept
