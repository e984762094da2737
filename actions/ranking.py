"""What the intent classifier ranked for the latest message, read by the actions that answer
when it was not sure (the fallback) or when no topic answers (the nearest topics)."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions import curated

SUGGESTIONS = 3
FALLBACK = "nlu_fallback"
# Under this the best guess says nothing: gibberish gets about 0.07 for whichever intent comes first.
MIN_GUESS_CONFIDENCE = 0.15


def best_guess(ranking: list[dict]) -> str | None:
    """The classifier's best intent under the fallback, when it is more than noise."""
    guesses = [entry for entry in ranking if entry.get("name") != FALLBACK]
    if guesses and (guesses[0].get("confidence") or 0.0) >= MIN_GUESS_CONFIDENCE:
        return guesses[0].get("name")
    return None


def unsure_guess(tracker: Tracker) -> str | None:
    return best_guess(tracker.latest_message.get("intent_ranking", []))


def likely_topics(tracker: Tracker) -> list[str]:
    """The topics the classifier ranked highest for the latest message, most likely first."""
    ranking = tracker.latest_message.get("intent_ranking", [])
    topics = curated.topics()
    return [entry["name"] for entry in ranking if entry.get("name") in topics][:SUGGESTIONS]
