"""The curated content and its search, loaded once when the action server starts."""

from __future__ import annotations

from functools import lru_cache

from actions.content import Topic, load_topics
from actions.passage_search import PassageSearch


@lru_cache(maxsize=1)
def topics() -> dict[str, Topic]:
    return load_topics()


@lru_cache(maxsize=1)
def search() -> PassageSearch:
    return PassageSearch(topics())
