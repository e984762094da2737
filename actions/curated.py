"""The curated content, its search and the action server's own texts, loaded once at start."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker

from actions.passage_search import PassageSearch
from content_library.load import CRISIS_FLAG_SLOT, Topic, buttons_for, load_conversation, load_topics, with_helplines


@lru_cache(maxsize=1)
def topics() -> dict[str, Topic]:
    return load_topics()


@lru_cache(maxsize=1)
def search() -> PassageSearch:
    return PassageSearch(topics())


@lru_cache(maxsize=1)
def _texts() -> dict:
    return load_conversation()["texts"]


def text(name: str) -> str:
    """One of the texts in content/conversation.yml's `texts`, as one paragraph."""
    entry = _texts()[name]
    return " ".join((entry if isinstance(entry, str) else entry["text"]).split())


def named_buttons(name: str) -> list[dict]:
    """The buttons content/conversation.yml gives a text."""
    entry = _texts()[name]
    return [] if isinstance(entry, str) else buttons_for(entry.get("buttons", []), topics())


def in_reach_of_help(buttons: list[dict], tracker: Tracker) -> list[dict]:
    """Once a conversation has shown a crisis, every reply keeps the crisis lines one tap away."""
    return with_helplines(buttons) if tracker.get_slot(CRISIS_FLAG_SLOT) else buttons
