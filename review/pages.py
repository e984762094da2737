"""The HTML pages: Jinja templates with every value escaped, since conversation text comes from the public."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from review import roles
from review.conversation_facts import TOPICS, from_set_column

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def when(timestamp: float | None) -> str:
    if not timestamp:
        return ""
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


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
environment.filters.update(when=when, percent=percent, topic_label=topic_label, members=from_set_column)
# roles: so that a page shows only the links the signed-in account may follow (`session.may(roles.EXPORT)`)
environment.globals.update(topics=TOPICS, roles=roles)


def render(template: str, **context: Any) -> str:
    return environment.get_template(template).render(**context)
