"""What staff need to know about a conversation, read from its stored Rasa events.

One place says what counts as a crisis, distress, a question left unanswered, a topic and a channel,
so the list, its filters, the conversation page, the export and retention always agree.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from content_library.load import CRISIS_FLAG_SLOT, CRISIS_REPLY, load_topics

TOPIC_SLOT = "topic"
CRISIS_INTENT = "crisis"
DISTRESS_INTENT = "distress"
UNANSWERED_INTENTS = ("nlu_fallback", "out_of_scope", "outside_content")
TOPICS = {topic.id: topic.label for topic in load_topics().values()}
PREVIEW_CHARACTERS = 160
logger = logging.getLogger(__name__)
# Only these events say anything staff read; the rest (actions, featurization) are skipped.
READ_TYPES = ("user", "bot", "slot")
# Its action event comes first in a new session, before the introduction that the session opens with.
SESSION_START = "action_session_start"


def _text(value: Any) -> str | None:
    """A stored field as text, or None when it is anything else: the events come from the outside
    (a REST body can carry `"input_channel": {}`), and one odd value must not break a page."""
    return value if isinstance(value, str) else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def stored_data(raw: Any) -> dict[str, Any]:
    """A stored event's JSON as a mapping; empty (and logged) when it is not one."""
    try:
        return _mapping(json.loads(raw or "{}"))
    except (TypeError, ValueError):
        logger.warning("A stored event cannot be read as JSON; it is taken as empty.")
        return {}


def stored_text(raw: Any) -> str:
    """The text of a stored user or bot event, or "" when it has none that is text."""
    return _text(stored_data(raw).get("text")) or ""


@dataclass(frozen=True)
class StoredEvent:
    id: int
    type_name: str
    timestamp: float
    data: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> StoredEvent:
        data = stored_data(row.data)
        timestamp = row.timestamp if isinstance(row.timestamp, int | float) else 0.0
        return cls(row.id, row.type_name, timestamp, data)

    @property
    def text(self) -> str:
        return _text(self.data.get("text")) or ""

    @property
    def intent(self) -> str | None:
        return _text(_mapping(_mapping(self.data.get("parse_data")).get("intent")).get("name"))

    @property
    def confidence(self) -> float | None:
        confidence = _mapping(_mapping(self.data.get("parse_data")).get("intent")).get("confidence")
        return float(confidence) if isinstance(confidence, int | float) and not isinstance(confidence, bool) else None

    @property
    def input_channel(self) -> str | None:
        return _text(self.data.get("input_channel"))

    @property
    def metadata(self) -> dict[str, Any]:
        return _mapping(self.data.get("metadata"))

    @property
    def response(self) -> str | None:
        """The response a bot message came from (`utter_crisis`, `utter_answer`, ...), if any."""
        return _text(self.metadata.get("utter_action"))

    @property
    def buttons(self) -> list[str]:
        """The titles of a bot message's buttons."""
        buttons = _mapping(self.data.get("data")).get("buttons")
        buttons = buttons if isinstance(buttons, list) else []
        return [_text(button.get("title")) or "" for button in buttons if isinstance(button, dict)]

    def slot(self, name: str) -> bool:
        return self.type_name == "slot" and self.data.get("name") == name

    @property
    def topic_set(self) -> str | None:
        """The topic a `topic` slot event set, when it is one."""
        value = _text(self.data.get("value")) if self.slot(TOPIC_SLOT) else None
        return value if value in TOPICS else None


def is_crisis_event(type_name: str, data: dict[str, Any]) -> bool:
    """The crisis flag set, or the crisis reply sent: either marks the conversation as a crisis."""
    if type_name == "slot":
        return data.get("name") == CRISIS_FLAG_SLOT and data.get("value") is True
    return type_name == "bot" and _mapping(data.get("metadata")).get("utter_action") == CRISIS_REPLY


def answered_topic(event: StoredEvent) -> str | None:
    """The topic a bot reply answered: curated replies are variations chosen by the topic slot."""
    conditions = event.metadata.get("condition")
    for condition in conditions if isinstance(conditions, list) else []:
        condition = _mapping(condition)
        if condition.get("name") == TOPIC_SLOT and _text(condition.get("value")) in TOPICS:
            return condition["value"]
    return None


def is_button_payload(text: str) -> bool:
    return text.startswith("/")


# What the widget sends when its panel first opens, and Telegram's Start: not the person's words, so
# neither counted nor shown as a message of theirs (its intent's rules are in data/rules/).
OPENING = "/start"


def payload_note(text: str) -> str:
    """What a payload the person did not type stands for, in the transcript."""
    if text == OPENING:
        return "opened the chat"
    return "a button" if is_button_payload(text) else ""


@dataclass
class ConversationFacts:
    started_at: float = 0.0
    last_at: float = 0.0
    last_event_id: int = 0
    messages: int = 0
    crisis: bool = False
    last_crisis_event_id: int = 0
    distress: bool = False
    unanswered: bool = False
    channels: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    preview: str = ""
    # what the person wrote in the latest turn that brought a crisis: the list shows it, since in the
    # queue it is the message awaiting review (the first message is often only a greeting)
    crisis_message: str = ""
    texts: list[str] = field(default_factory=list)
    turn_text: str = ""  # the person's message whose turn is under way

    def add(self, event: StoredEvent) -> None:
        self.last_event_id = max(self.last_event_id, event.id)
        if event.type_name in ("user", "bot"):
            self.started_at = min(self.started_at or event.timestamp, event.timestamp)
            self.last_at = max(self.last_at, event.timestamp)
        if event.type_name == "action" and event.data.get("name") == SESSION_START:
            self.turn_text = ""  # a flag carried into the new session belongs to no message of it
        if is_crisis_event(event.type_name, event.data):
            self.crisis, self.last_crisis_event_id = True, max(self.last_crisis_event_id, event.id)
            self._note_crisis_message()
        if event.topic_set:
            self.topics.add(event.topic_set)
        if event.type_name == "bot" and answered_topic(event):
            self.topics.add(answered_topic(event))
        if event.type_name == "user":
            self._add_message(event)

    def _add_message(self, event: StoredEvent) -> None:
        text = event.text
        if event.input_channel:
            self.channels.add(event.input_channel)
        if text == OPENING:
            return
        self.messages += 1
        self.distress = self.distress or event.intent == DISTRESS_INTENT
        self.unanswered = self.unanswered or event.intent in UNANSWERED_INTENTS
        if event.intent in TOPICS:
            self.topics.add(event.intent)
        self.turn_text = text
        if event.intent == CRISIS_INTENT:
            self._note_crisis_message()
        if text:
            self.texts.append(text)
            if not self.preview and not is_button_payload(text):
                self.preview = text[:PREVIEW_CHARACTERS]

    def _note_crisis_message(self) -> None:
        # a pressed button ("Crisis lines") says nothing the marks do not: the list then keeps the preview
        if self.turn_text and not is_button_payload(self.turn_text):
            self.crisis_message = self.turn_text[:PREVIEW_CHARACTERS]

    def as_row(self, sender_id: str) -> dict[str, Any]:
        return {
            "sender_id": sender_id,
            "started_at": self.started_at,
            "last_at": self.last_at,
            "last_event_id": self.last_event_id,
            "messages": self.messages,
            "crisis": self.crisis,
            "last_crisis_event_id": self.last_crisis_event_id,
            "distress": self.distress,
            "unanswered": self.unanswered,
            "channels": as_set_column(self.channels),
            "topics": as_set_column(self.topics),
            "preview": self.preview or (self.texts[0][:PREVIEW_CHARACTERS] if self.texts else ""),
            "crisis_message": self.crisis_message,
            "search_text": "\n".join(self.texts).lower(),
        }


def facts_of(events: Iterable[StoredEvent]) -> ConversationFacts:
    """A conversation's facts; an event that still cannot be read is logged and skipped, so one bad
    row never keeps the conversation, or the crisis queue, from the index."""
    facts = ConversationFacts()
    for event in events:
        try:
            facts.add(event)
        except Exception as error:  # noqa: BLE001 - whatever the stored data, the rest must be indexed
            logger.warning("Skipped event %s while indexing: %s.", event.id, type(error).__name__)
    return facts


def as_set_column(values: set[str]) -> str:
    return "," + ",".join(sorted(values)) + "," if values else ""


def from_set_column(value: str) -> list[str]:
    return [item for item in value.split(",") if item]
