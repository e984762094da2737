"""The audit log's details in words: staff read what was filtered, exported or refused, not JSON.

The details stay stored as JSON (review/audit.py), which retention edits; only the page words them.
Words a person typed (a search, a tag) come back as text, for the template to escape.
"""

from __future__ import annotations

import json
from typing import Any

from review.conversation_facts import TOPICS
from review.roles import DESCRIBED

FORMATS = {"csv": "CSV", "jsonl": "JSON Lines"}
CHECKED_FILTERS = {"crisis": "crisis", "distress": "distress", "unanswered": "fell back or out of scope"}
# the order the list's form shows them in, then the export's, the refusal's and retention's details
FILTER_ORDER = ("crisis", "distress", "unanswered", "reviewed", "channel", "topic", "date_from", "date_to", "text")
DETAIL_ORDER = ("format", "conversations", "filters", "tag", "permission", "role", "days", "deleted", "kept_for_review")


def _in_order(names: Any, order: tuple[str, ...]) -> list[str]:
    """The names in the given order; any other (from a later version) after them."""
    return sorted(names, key=lambda name: order.index(name) if name in order else len(order))


def _counted(number: Any, thing: str) -> str:
    return f"{number} {thing}" + ("" if number == 1 else "s")


def _filter_words(name: str, value: Any) -> str:
    if name in CHECKED_FILTERS and value is True:
        return CHECKED_FILTERS[name]
    if name == "reviewed":
        return "reviewed" if value == "yes" else "not reviewed"
    if name == "topic":
        return f"topic {TOPICS.get(value, value)}"
    if name == "date_from":
        return f"from {value}"
    if name == "date_to":
        return f"to {value}"
    if name == "text":
        return f"words “{value}”"
    return f"{name.replace('_', ' ')} {value}"


def _filters(filters: Any) -> str:
    if not isinstance(filters, dict) or not filters:
        return "no filters"
    return "filtered by " + ", ".join(_filter_words(name, filters[name]) for name in _in_order(filters, FILTER_ORDER))


def _detail_words(name: str, value: Any) -> str:
    if name == "format":
        return f"as {FORMATS.get(value, value)}"
    if name == "conversations":
        return _counted(value, "conversation")
    if name == "filters":
        return _filters(value)
    if name == "tag":
        return f"tag “{value}”"
    if name == "permission":
        return f"wanted to {DESCRIBED.get(value, value)}"
    if name == "role":
        return f"role {value}"
    if name == "days":
        return f"older than {_counted(value, 'day')}"
    if name == "deleted":
        return f"{value} deleted"
    if name == "kept_for_review":
        return f"{value} kept for review"
    return f"{name.replace('_', ' ')}: {value}"


def in_words(details: str | None) -> str:
    """A line's stored details as a phrase; text that is not the app's JSON is shown as it is."""
    try:
        found = json.loads(details) if details else {}
    except ValueError:
        return details or ""
    if not isinstance(found, dict):
        return details or ""
    return "; ".join(_detail_words(name, found[name]) for name in _in_order(found, DETAIL_ORDER))
