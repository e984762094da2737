"""Helpers to read the REST channel's replies in tests."""

from __future__ import annotations

from content_library.load import load_conversation, load_topics

TOPICS = load_topics()
CONVERSATION = load_conversation()
RESPONSES, ACTION_TEXTS = CONVERSATION["responses"], CONVERSATION["texts"]


def texts(replies: list[dict]) -> list[str]:
    return [reply["text"] for reply in replies if "text" in reply]


def button_titles(replies: list[dict]) -> list[str]:
    return [button["title"] for reply in replies for button in reply.get("buttons", [])]


def button_payloads(replies: list[dict]) -> list[str]:
    return [button["payload"] for reply in replies for button in reply.get("buttons", [])]


def said(name: str) -> str:
    """A response (utter_...) or an action's text as written in content/conversation.yml."""
    entry = RESPONSES[name] if name.startswith("utter_") else ACTION_TEXTS[name]
    return " ".join((entry if isinstance(entry, str) else entry["text"]).split())
