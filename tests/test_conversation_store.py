"""The conversation store finds the events to save by identity: a turn saved late, or by another server
on the same conversation, is stored too, and a tracker saved twice is stored once. The store itself on
a SQLite file, with no server."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from stores.tracker_store import RedactingSQLTrackerStore


@pytest.fixture
def store(tmp_path) -> RedactingSQLTrackerStore:
    return RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "conversations.db"))


async def messages(store: RedactingSQLTrackerStore, conversation: str) -> list[str]:
    tracker = await store.retrieve(conversation)
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


@pytest.mark.asyncio
async def test_two_servers_answering_one_conversation_both_have_their_turn_stored(store):
    await store.save(DialogueStateTracker.from_events("c", [ActionExecuted("action_listen"), UserUttered("hello")]))
    on_one_server, on_another = await store.retrieve("c"), await store.retrieve("c")
    on_one_server.update(UserUttered("what is tms"))
    on_another.update(UserUttered("what is ect"))
    await store.save(on_one_server)
    # as many events as are stored now: a store that counts them would take this turn for stored
    await store.save(on_another)
    assert await messages(store, "c") == ["hello", "what is tms", "what is ect"]


@pytest.mark.asyncio
async def test_a_tracker_saved_twice_is_stored_once(store):
    tracker = DialogueStateTracker.from_events("c", [ActionExecuted("action_listen"), UserUttered("hello")])
    await store.save(tracker)
    await store.save(tracker)
    assert await messages(store, "c") == ["hello"]
