"""The HTML pages: Jinja templates with every value escaped, since conversation text comes from the public."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from review import roles
from review.audit_words import in_words
from review.conversation_facts import TOPICS, from_set_column

# where the conversation page's first crisis message not yet reviewed is: the list's links to a conversation
# awaiting review end with it, so that the browser opens the page there (the pages run no scripts)
CRISIS_ANCHOR = "first-unreviewed-crisis"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def when(timestamp: float | None) -> str:
    """A time to the second: the messages of one turn, and a reply's delay, differ by seconds."""
    if not timestamp:
        return ""
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def percent(confidence: float | None) -> str:
    return "" if confidence is None else f"{confidence:.0%}"


def topic_label(topic_id: str | None) -> str:
    return TOPICS.get(topic_id or "", topic_id or "")


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    when=when, percent=percent, topic_label=topic_label, members=from_set_column, in_words=in_words
)
# roles: so that a page shows only the links the signed-in account may follow (`session.may(roles.EXPORT)`)
environment.globals.update(topics=TOPICS, roles=roles, crisis_anchor=CRISIS_ANCHOR)


def render(template: str, **context: Any) -> str:
    return environment.get_template(template).render(**context)
