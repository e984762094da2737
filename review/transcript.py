"""One conversation as staff read it: every message in order, with what the assistant made of it.

A person's message carries its intent and confidence, the topic its turn answered, and the crisis,
distress and unanswered marks; a reply carries the response it came from (the crisis reply is marked)
and its buttons. Each session starts with a line, since the assistant then started afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from review.conversation_facts import (
    CRISIS_INTENT,
    CRISIS_REPLY,
    DISTRESS_INTENT,
    SESSION_START,
    TOPICS,
    UNANSWERED_INTENTS,
    StoredEvent,
    answered_topic,
    is_crisis_event,
    payload_note,
)
from review.database import chunks, events, readable


@dataclass
class Message:
    conversation_id: str
    at: float
    speaker: str  # "person" or "assistant"
    text: str
    intent: str | None = None
    confidence: float | None = None
    response: str | None = None
    topic: str | None = None
    buttons: list[str] = field(default_factory=list)
    # a person's message whose turn brought a crisis: its latest crisis event, which a review mark covers
    # when it reaches that far
    crisis_event_id: int | None = None

    @property
    def crisis(self) -> bool:
        return self.intent == CRISIS_INTENT or self.response == CRISIS_REPLY

    @property
    def distress(self) -> bool:
        return self.intent == DISTRESS_INTENT

    @property
    def unanswered(self) -> bool:
        return self.intent in UNANSWERED_INTENTS

    @property
    def payload_note(self) -> str:
        return payload_note(self.text) if self.speaker == "person" else ""

    @property
    def topic_label(self) -> str:
        return TOPICS.get(self.topic or "", "")


@dataclass(frozen=True)
class SessionStart:
    at: float


def _reply(conversation_id: str, event: StoredEvent) -> Message:
    return Message(
        conversation_id,
        event.timestamp,
        "assistant",
        event.text,
        response=event.response,
        topic=answered_topic(event),
        buttons=event.buttons,
    )


def transcript(conversation_id: str, stored: Iterable[StoredEvent]) -> list[Message | SessionStart]:
    entries: list[Message | SessionStart] = []
    asked: Message | None = None  # the person's message whose turn is under way
    for event in stored:
        if event.type_name == "action" and event.data.get("name") == SESSION_START:
            entries.append(SessionStart(event.timestamp))
            asked = None
        elif event.type_name == "user":
            asked = Message(
                conversation_id,
                event.timestamp,
                "person",
                event.text,
                intent=event.intent,
                confidence=event.confidence,
                crisis_event_id=event.id if event.intent == CRISIS_INTENT else None,
            )
            entries.append(asked)
        elif event.type_name == "bot":
            reply = _reply(conversation_id, event)
            entries.append(reply)
            if asked and reply.topic and not asked.topic:
                asked.topic = reply.topic
        elif asked and event.topic_set and not asked.topic:
            # a passage the fallback found sets the topic without a topic reply
            asked.topic = event.topic_set
        if asked and is_crisis_event(event.type_name, event.data):
            asked.crisis_event_id = event.id
    return entries


def first_unreviewed_crisis(entries: list[Message | SessionStart], reviewed_up_to: int) -> Message | None:
    """The person's first crisis message that the review mark (up to that event) does not cover: where
    a reviewer starts reading."""
    for entry in entries:
        if isinstance(entry, Message) and entry.crisis_event_id and entry.crisis_event_id > reviewed_up_to:
            return entry
    return None


def _query(sender_ids: list[str]) -> sa.sql.Select:
    return (
        sa.select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.sender_id.in_(sender_ids), readable)
        .order_by(events.c.sender_id, events.c.id)
    )


def load(connection: sa.engine.Connection, conversation_id: str) -> list[Message | SessionStart]:
    rows = connection.execute(_query([conversation_id]))
    return transcript(conversation_id, (StoredEvent.from_row(row) for row in rows))


def load_many(connection: sa.engine.Connection, conversation_ids: list[str]) -> dict[str, list[Message | SessionStart]]:
    """Several conversations' transcripts, a few queries for all (the export reads thousands)."""
    found: dict[str, list[StoredEvent]] = {conversation_id: [] for conversation_id in conversation_ids}
    for chunk in chunks(conversation_ids):
        for row in connection.execute(_query(chunk)):
            found[row.sender_id].append(StoredEvent.from_row(row))
    return {conversation_id: transcript(conversation_id, stored) for conversation_id, stored in found.items()}
