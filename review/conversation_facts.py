"""What staff need to know about a conversation, read from its stored Rasa events.

One place says what counts as a crisis, distress, a question left unanswered, a topic and a channel,
so the list, its filters, the conversation page, the export and retention always agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from actions.content import load_topics

CRISIS_REPLY = "utter_crisis"
CRISIS_SLOT = "crisis_flagged"
TOPIC_SLOT = "topic"
CRISIS_INTENT = "crisis"
DISTRESS_INTENT = "distress"
UNANSWERED_INTENTS = ("nlu_fallback", "out_of_scope")
TOPICS = {topic.id: topic.label for topic in load_topics().values()}
PREVIEW_CHARACTERS = 160
# Only these events say anything staff read; the rest (actions, featurization) are skipped.
READ_TYPES = ("user", "bot", "slot")
# Its action event comes first in a new session, before the introduction that the session opens with.
SESSION_START = "action_session_start"


@dataclass(frozen=True)
class StoredEvent:
    id: int
    type_name: str
    timestamp: float
    data: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> StoredEvent:
        return cls(row.id, row.type_name, row.timestamp or 0.0, json.loads(row.data or "{}"))

    @property
    def intent(self) -> str | None:
        return ((self.data.get("parse_data") or {}).get("intent") or {}).get("name")

    @property
    def confidence(self) -> float | None:
        return ((self.data.get("parse_data") or {}).get("intent") or {}).get("confidence")

    @property
    def response(self) -> str | None:
        """The response a bot message came from (`utter_crisis`, `utter_answer`, ...), if any."""
        return (self.data.get("metadata") or {}).get("utter_action")

    def slot(self, name: str) -> bool:
        return self.type_name == "slot" and self.data.get("name") == name


def is_crisis_event(type_name: str, data: dict[str, Any]) -> bool:
    """The crisis flag set, or the crisis reply sent: either marks the conversation as a crisis."""
    if type_name == "slot":
        return data.get("name") == CRISIS_SLOT and data.get("value") is True
    return type_name == "bot" and (data.get("metadata") or {}).get("utter_action") == CRISIS_REPLY


def answered_topic(event: StoredEvent) -> str | None:
    """The topic a bot reply answered: curated replies are variations chosen by the topic slot."""
    for condition in (event.data.get("metadata") or {}).get("condition") or []:
        if condition.get("name") == TOPIC_SLOT and condition.get("value") in TOPICS:
            return condition["value"]
    return None


def is_button_payload(text: str) -> bool:
    return text.startswith("/")


@dataclass
class ConversationFacts:
    started_at: float = 0.0
    last_at: float = 0.0
    last_event_id: int = 0
    messages: int = 0
    crisis: bool = False
    distress: bool = False
    unanswered: bool = False
    channels: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    preview: str = ""
    texts: list[str] = field(default_factory=list)

    def add(self, event: StoredEvent) -> None:
        self.last_event_id = max(self.last_event_id, event.id)
        if event.type_name in ("user", "bot"):
            self.started_at = min(self.started_at or event.timestamp, event.timestamp)
            self.last_at = max(self.last_at, event.timestamp)
        self.crisis = self.crisis or is_crisis_event(event.type_name, event.data)
        if event.slot(TOPIC_SLOT) and event.data.get("value") in TOPICS:
            self.topics.add(event.data["value"])
        if event.type_name == "bot" and answered_topic(event):
            self.topics.add(answered_topic(event))
        if event.type_name == "user":
            self._add_message(event)

    def _add_message(self, event: StoredEvent) -> None:
        text = event.data.get("text") or ""
        self.messages += 1
        self.distress = self.distress or event.intent == DISTRESS_INTENT
        self.unanswered = self.unanswered or event.intent in UNANSWERED_INTENTS
        if event.intent in TOPICS:
            self.topics.add(event.intent)
        if event.data.get("input_channel"):
            self.channels.add(event.data["input_channel"])
        if text:
            self.texts.append(text)
            if not self.preview and not is_button_payload(text):
                self.preview = text[:PREVIEW_CHARACTERS]

    def as_row(self, sender_id: str) -> dict[str, Any]:
        return {
            "sender_id": sender_id,
            "started_at": self.started_at,
            "last_at": self.last_at,
            "last_event_id": self.last_event_id,
            "messages": self.messages,
            "crisis": self.crisis,
            "distress": self.distress,
            "unanswered": self.unanswered,
            "channels": as_set_column(self.channels),
            "topics": as_set_column(self.topics),
            "preview": self.preview or (self.texts[0][:PREVIEW_CHARACTERS] if self.texts else ""),
            "search_text": "\n".join(self.texts).lower(),
        }


def facts_of(events: Iterable[StoredEvent]) -> ConversationFacts:
    facts = ConversationFacts()
    for event in events:
        facts.add(event)
    return facts


def as_set_column(values: set[str]) -> str:
    return "," + ",".join(sorted(values)) + "," if values else ""


def from_set_column(value: str) -> list[str]:
    return [item for item in value.split(",") if item]
