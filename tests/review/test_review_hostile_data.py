"""Stored events of every odd shape: the review app reads what it can, skips the rest, and stays up.

The conversation store takes what clients send (a REST body with `"input_channel": {}` once made every
page answer 500 until the row was deleted by hand), and a row can be damaged by hand or by a bug.
Whatever is in it, every page answers, the crisis queue keeps its conversations, and the readable parts
of an odd conversation are shown.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
import sqlalchemy as sa

from tests.review.conftest import Stack, listed, new_sender

HOSTILE_EVENTS = {
    "text not a text": ("user", {"event": "user", "text": {"a": 1}, "input_channel": {}}),
    "channel a list": ("user", {"event": "user", "text": "hello there", "input_channel": ["rest", {}]}),
    "intent a list": ("user", {"event": "user", "text": "hi", "parse_data": {"intent": ["crisis", 1]}}),
    "intent name a mapping": (
        "user",
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": {"x": 1}, "confidence": "high"}}},
    ),
    "buttons not a list": ("bot", {"event": "bot", "text": None, "data": {"buttons": "none"}, "metadata": []}),
    "condition not a list": ("bot", {"event": "bot", "text": "ok", "metadata": {"condition": {"name": "topic"}}}),
    "topic a mapping": ("slot", {"event": "slot", "name": "topic", "value": {"id": "tms"}}),
    "not json": ("user", "{not json at all"),
    "json not an object": ("user", "[1, 2, 3]"),
    "json null": ("user", "null"),
}


def insert_events(stack: Stack, sender: str, rows: list[tuple[str, object]]) -> None:
    with stack.owner.begin() as connection:
        for type_name, data in rows:
            raw = data if isinstance(data, str) else json.dumps(data)
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)"
                    " VALUES (:sender, :type_name, :timestamp, NULL, NULL, :data)"
                ),
                {"sender": sender, "type_name": type_name, "timestamp": time.time(), "data": raw},
            )


@pytest.fixture
def hostile(stack: Stack) -> str:
    """A crisis conversation with readable messages, then every odd event (written straight into the
    store, as a bug or a hand edit would: the review app must read it, whatever Rasa would make of it)."""
    sender = new_sender("hostile")
    stack.rasa.say(sender, "what is ect")
    stack.rasa.say(sender, "/crisis")
    insert_events(stack, sender, list(HOSTILE_EVENTS.values()))
    return sender


def test_every_page_answers_and_the_crisis_queue_keeps_its_conversations(stack, staff: requests.Session, hostile):
    for page in ("/conversations", "/conversations?crisis=yes", "/unanswered", "/export?format=csv"):
        answer = staff.get(f"{stack.review.url}{page}")
        assert answer.status_code == 200, (page, answer.text[:300])
    queue = listed(staff, stack.review.url, crisis="yes")
    assert hostile in queue and stack.seeded["crisis_open"] in queue


def test_the_odd_conversation_shows_what_can_be_read(stack, staff: requests.Session, hostile):
    answer = staff.get(f"{stack.review.url}/conversation", params={"id": hostile})
    assert answer.status_code == 200, answer.text[:300]
    assert "what is ect" in answer.text and "hello there" in answer.text
    assert "utter_crisis" in answer.text and "Topic: ECT" in answer.text


def test_a_rest_body_with_an_odd_channel_does_not_break_the_list(stack, staff: requests.Session):
    sender = new_sender("channel")
    body = {"sender": sender, "message": "what is tms", "input_channel": {}}
    assert requests.post(f"{stack.rasa.url}/webhooks/rest/webhook", json=body, timeout=30).status_code == 200
    assert staff.get(f"{stack.review.url}/conversations").status_code == 200
    assert sender in listed(staff, stack.review.url, channel="rest")
