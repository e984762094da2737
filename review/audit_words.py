"""The audit log's details in words: staff read what was filtered, exported or refused, not JSON.

The details stay stored as JSON (review/audit.py), which retention edits; only the page words them.
Words a person typed (a search, a tag) come back as text, for the template to escape.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from review.conversation_facts import TOPICS
from review.roles import DESCRIBED

FORMATS = {"csv": "CSV", "jsonl": "JSON Lines"}
CHECKED_FILTERS = {"crisis": "crisis", "distress": "distress", "unanswered": "fell back or out of scope"}


def _counted(number: Any, thing: str) -> str:
    return f"{number} {thing}" + ("" if number == 1 else "s")


def _checked(name: str) -> Callable[[Any], str]:
    return lambda value: CHECKED_FILTERS[name] if value is True else f"{name} {value}"


# Each filter's words, in the order the list's form shows them; a name not here is shown as it is.
FILTER_WORDS: dict[str, Callable[[Any], str]] = {
    **{name: _checked(name) for name in CHECKED_FILTERS},
    "reviewed": lambda value: "reviewed" if value == "yes" else "not reviewed",
    "channel": lambda value: f"channel {value}",
    "topic": lambda value: f"topic {TOPICS.get(value, value)}",
    "date_from": lambda value: f"from {value}",
    "date_to": lambda value: f"to {value}",
    "text": lambda value: f"words “{value}”",
}


def _filters(filters: Any) -> str:
    if not isinstance(filters, dict) or not filters:
        return "no filters"
    return "filtered by " + _worded(
        filters, FILTER_WORDS, lambda name, value: f"{name.replace('_', ' ')} {value}", ", "
    )


# Each detail's words, in the order the export's, the refusal's and retention's details are read.
DETAIL_WORDS: dict[str, Callable[[Any], str]] = {
    "format": lambda value: f"as {FORMATS.get(value, value)}",
    "conversations": lambda value: _counted(value, "conversation"),
    "filters": _filters,
    "tag": lambda value: f"tag “{value}”",
    "permission": lambda value: f"wanted to {DESCRIBED.get(value, value)}",
    "role": lambda value: f"role {value}",
    "days": lambda value: f"older than {_counted(value, 'day')}",
    "deleted": lambda value: f"{value} deleted",
    "kept_for_review": lambda value: f"{value} kept for review",
}


def _worded(
    found: dict[str, Any],
    words: dict[str, Callable[[Any], str]],
    otherwise: Callable[[str, Any], str],
    between: str,
) -> str:
    """Each name's words, in the order of `words`; any other name (from a later version) after them."""
    order = list(words)
    names = sorted(found, key=lambda name: order.index(name) if name in order else len(order))
    return between.join(words[name](found[name]) if name in words else otherwise(name, found[name]) for name in names)


def in_words(details: str | None) -> str:
    """A line's stored details as a phrase; text that is not the app's JSON is shown as it is."""
    try:
        found = json.loads(details) if details else {}
    except ValueError:
        return details or ""
    if not isinstance(found, dict):
        return details or ""
    return _worded(found, DETAIL_WORDS, lambda name, value: f"{name.replace('_', ' ')}: {value}", "; ")
