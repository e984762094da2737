"""Extractive search over the curated passages (BM25), for messages the NLU could not place.

It only ever returns a topic, whose reviewed passage is then shown with its source: nothing is
generated. A match counts only when it is clearly better than the runner-up, so that a vague
message gets "did you mean" buttons instead of a confident wrong answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from content_library.load import Topic

# Words that carry no topic: without them short questions match on what they are about.
STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be because been being but by can
    could did do does doing for from had has have having he her here hers him his how i if in
    into is it its just me more most my no not of on once only or other our out over own same
    she should so some such than that the their them then there these they this those through
    to too under until up very was we were what when where which while who why will with would
    you your yours im ive dont cant know tell mean really thing things get got please""".split()  # noqa: SIM905
)
WORD = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lowercased words without stopwords, with plural and -ing endings folded."""
    tokens = []
    for word in WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        for suffix in ("ing", "es", "s"):
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        tokens.append(word)
    return tokens


@dataclass(frozen=True)
class Match:
    topic: Topic
    score: float


class PassageSearch:
    """BM25 over each topic's title, short answer and longer passage."""

    def __init__(self, topics: dict[str, Topic], min_score: float = 4.0, min_margin: float = 1.3):
        self._topics = list(topics.values())
        self._index = BM25Okapi(
            [tokenize(f"{topic.title} {topic.title} {topic.short} {topic.detail}") for topic in self._topics]
        )
        self._min_score = min_score
        self._min_margin = min_margin

    def ranked(self, query: str) -> list[Match]:
        tokens = tokenize(query)
        if not tokens:
            return []
        scores = self._index.get_scores(tokens)
        matches = [Match(topic, float(score)) for topic, score in zip(self._topics, scores, strict=True) if score > 0]
        return sorted(matches, key=lambda match: match.score, reverse=True)

    def best(self, query: str) -> Match | None:
        """The one topic that clearly matches the query, or None."""
        ranked = self.ranked(query)
        if not ranked or ranked[0].score < self._min_score:
            return None
        if len(ranked) > 1 and ranked[0].score < self._min_margin * ranked[1].score:
            return None
        return ranked[0]
