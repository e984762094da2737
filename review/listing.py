"""The conversation list: its filters, read from the page's query string, and the query they make.

Crisis conversations that nobody has marked reviewed come first, whatever else is asked; then the
newest. Dates are calendar days in UTC, both ends included: a conversation is in the range when any
of its messages is.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from urllib.parse import urlencode

import sqlalchemy as sa

from review.conversation_facts import TOPICS, from_set_column
from review.database import conversations, marks

PAGE_SIZE = 50
MAX_SEARCH_CHARACTERS = 200
REVIEWED_CHOICES = ("", "yes", "no")


class FilterError(ValueError):
    """A filter value that makes no sense; the message says which, in plain words."""


def day_of(value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{value!r} is not a date: write dates like 2025-03-31.") from None


def _timestamp(day: datetime.date) -> float:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.timezone.utc).timestamp()


def _contains(column: sa.Column, text: str) -> sa.sql.ColumnElement:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


@dataclass(frozen=True)
class Filters:
    crisis: bool = False
    distress: bool = False
    unanswered: bool = False
    channel: str = ""
    topic: str = ""
    date_from: str = ""
    date_to: str = ""
    reviewed: str = ""
    text: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        filters = cls(
            crisis=args.get("crisis") == "yes",
            distress=args.get("distress") == "yes",
            unanswered=args.get("unanswered") == "yes",
            channel=(args.get("channel") or "").strip(),
            topic=(args.get("topic") or "").strip(),
            date_from=(args.get("date_from") or "").strip(),
            date_to=(args.get("date_to") or "").strip(),
            reviewed=(args.get("reviewed") or "").strip(),
            text=(args.get("text") or "").strip()[:MAX_SEARCH_CHARACTERS],
        )
        filters.check()
        return filters

    def check(self) -> None:
        start, end = day_of(self.date_from), day_of(self.date_to)
        if start and end and start > end:
            raise FilterError("The from date is after the to date.")
        if self.topic and self.topic not in TOPICS:
            raise FilterError("There is no such topic.")
        if self.reviewed not in REVIEWED_CHOICES:
            raise FilterError("Reviewed should be yes, no, or either.")

    def conditions(self) -> list[sa.sql.ColumnElement]:
        conditions = []
        if self.crisis:
            conditions.append(conversations.c.crisis.is_(True))
        if self.distress:
            conditions.append(conversations.c.distress.is_(True))
        if self.unanswered:
            conditions.append(conversations.c.unanswered.is_(True))
        if self.channel:
            conditions.append(_contains(conversations.c.channels, f",{self.channel},"))
        if self.topic:
            conditions.append(_contains(conversations.c.topics, f",{self.topic},"))
        if self.date_from:
            conditions.append(conversations.c.last_at >= _timestamp(day_of(self.date_from)))
        if self.date_to:
            after_end = day_of(self.date_to) + datetime.timedelta(days=1)
            conditions.append(conversations.c.started_at < _timestamp(after_end))
        if self.reviewed == "yes":
            conditions.append(review_covers())
        if self.reviewed == "no":
            conditions.append(sa.not_(review_covers()))
        if self.text:
            in_messages = _contains(conversations.c.search_text, self.text.lower())
            conditions.append(sa.or_(in_messages, conversations.c.sender_id == self.text))
        return conditions

    def as_args(self) -> dict[str, str]:
        """The filters that are set, as the query string's arguments (for links that keep them)."""
        args = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is True:
                args[field.name] = "yes"
            elif value:
                args[field.name] = value
        return args

    def query_string(self, **extra: str) -> str:
        return urlencode({**self.as_args(), **extra})

    def described(self) -> dict:
        """The filters as the audit log records them."""
        return {name: value for name, value in asdict(self).items() if value}


def review_covers() -> sa.sql.ColumnElement:
    """A mark counts up to the event its reviewer saw: a crisis after that is not reviewed."""
    return sa.and_(marks.c.sender_id.is_not(None), marks.c.reviewed_up_to >= conversations.c.last_crisis_event_id)


def _waiting_for_review() -> sa.sql.ColumnElement:
    return sa.and_(conversations.c.crisis.is_(True), sa.not_(review_covers()))


def _joined() -> sa.sql.FromClause:
    return conversations.outerjoin(marks, marks.c.sender_id == conversations.c.sender_id)


def matching(filters: Filters) -> sa.sql.Select:
    """The conversations that match, crisis ones awaiting review first, then the newest."""
    return (
        sa.select(
            conversations,
            # a mark that a later crisis has outdated is shown as no mark
            sa.case((review_covers(), marks.c.reviewed_by), else_=None).label("reviewed_by"),
            sa.case((review_covers(), marks.c.reviewed_at), else_=None).label("reviewed_at"),
        )
        .select_from(_joined())
        .where(*filters.conditions())
        .order_by(
            sa.case((_waiting_for_review(), 0), else_=1), conversations.c.last_at.desc(), conversations.c.sender_id
        )
    )


def page_of(connection: sa.engine.Connection, filters: Filters, page: int) -> tuple[list[sa.engine.Row], int]:
    """One page of the list, and how many conversations match in all."""
    total = connection.execute(
        sa.select(sa.func.count()).select_from(_joined()).where(*filters.conditions())
    ).scalar_one()
    rows = connection.execute(matching(filters).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


def crisis_waiting(connection: sa.engine.Connection) -> int:
    """Crisis conversations that no one has marked reviewed: the count in every page's header."""
    query = sa.select(sa.func.count()).select_from(_joined()).where(_waiting_for_review())
    return connection.execute(query).scalar_one()


def channels(connection: sa.engine.Connection) -> list[str]:
    """Every channel that conversations came through, for the filter's choices."""
    found = set()
    for (value,) in connection.execute(sa.select(conversations.c.channels).distinct()):
        found.update(from_set_column(value))
    return sorted(found)
