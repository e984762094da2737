"""The questions the assistant could not answer (fallback or out of scope), grouped by similar wording.

Content gaps show as large groups: "is ketamine covered by insurance" and "does insurance pay for
ketamine?" land together. Two messages are alike when their content words overlap enough (Jaccard
similarity of the word sets, after dropping common words and plural endings). Groups are built
greedily, most frequent wording first, so each group is named by its most common wording.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from review.conversation_facts import UNANSWERED_INTENTS, stored_text
from review.database import events

SIMILAR = 0.5
MAX_MESSAGES = 20_000
WORD = re.compile(r"\[?[a-z0-9']+\]?")
# words that say nothing about what was asked
COMMON_WORDS = """
a about am an and are as at be been but by can could did do does doing for from had has have how i if in into is
it its i'm im me my of on or so that the their them there they this to was we were what when where which who why
will with would you your
"""
STOP_WORDS = frozenset(COMMON_WORDS.split())


def words_of(text: str) -> frozenset[str]:
    words = set()
    for word in WORD.findall(text.lower()):
        word = word.strip("'")
        if word in STOP_WORDS or not word:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return frozenset(words)


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 1.0 if first == second else 0.0
    return len(first & second) / len(first | second)


@dataclass
class Group:
    words: frozenset[str]
    wordings: Counter = field(default_factory=Counter)
    conversations: set[str] = field(default_factory=set)
    last_at: float = 0.0

    @property
    def count(self) -> int:
        return sum(self.wordings.values())

    @property
    def wording(self) -> str:
        return self.wordings.most_common(1)[0][0]

    @property
    def other_wordings(self) -> list[str]:
        return [text for text, _ in self.wordings.most_common(6)[1:]]


@dataclass(frozen=True)
class Asked:
    text: str
    conversation_id: str
    at: float


def group(messages: list[Asked]) -> list[Group]:
    """Groups of similar messages, the largest first."""
    by_text: dict[str, list[Asked]] = {}
    for message in messages:
        by_text.setdefault(" ".join(message.text.split()).lower(), []).append(message)
    groups: list[Group] = []
    groups_with_word: dict[str, list[Group]] = {}  # only groups sharing a word can be alike
    for asked in sorted(by_text.values(), key=len, reverse=True):
        words = words_of(asked[0].text)
        candidates = {id(found): found for word in words for found in groups_with_word.get(word, [])}
        best = max(candidates.values(), key=lambda found: similarity(found.words, words), default=None)
        if best is None or similarity(best.words, words) < SIMILAR:
            best = Group(words)
            groups.append(best)
            for word in words:
                groups_with_word.setdefault(word, []).append(best)
        for message in asked:
            best.wordings[message.text] += 1
            best.conversations.add(message.conversation_id)
            best.last_at = max(best.last_at, message.at)
    return sorted(groups, key=lambda found: (-found.count, -found.last_at))


def _day_start(day: datetime.date) -> float:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.timezone.utc).timestamp()


def load(connection: sa.engine.Connection, since: datetime.date | None, until: datetime.date | None) -> list[Asked]:
    """The unanswered messages between two days (UTC, both included), the newest first."""
    query = (
        sa.select(events.c.sender_id, events.c.timestamp, events.c.data)
        .where(events.c.type_name == "user", events.c.intent_name.in_(UNANSWERED_INTENTS))
        .order_by(events.c.id.desc())
        .limit(MAX_MESSAGES)
    )
    if since:
        query = query.where(events.c.timestamp >= _day_start(since))
    if until:
        query = query.where(events.c.timestamp < _day_start(until + datetime.timedelta(days=1)))
    asked = [Asked(stored_text(row.data), row.sender_id, row.timestamp or 0.0) for row in connection.execute(query)]
    return [message for message in asked if message.text.strip()]  # a blank message asked nothing
