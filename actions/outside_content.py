"""A question about depression or its treatment that no reviewed topic answers (`outside_content`).

The reply that says so is a response; this action follows it with the nearest topics: those the
classifier ranked next, then the best passage matches, so the person has somewhere to go.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import curated
from actions.ranking import SUGGESTIONS, likely_topics


def offer_nearest_topics(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    topics = curated.topics()
    searched = [match.topic.id for match in curated.search().ranked(tracker.latest_message.get("text") or "")]
    nearest = list(dict.fromkeys([*likely_topics(tracker), *searched]))[:SUGGESTIONS]
    # with nothing near, the start of the topic list
    offered = [topics[topic_id].button for topic_id in nearest] or curated.named_buttons("topics")[:SUGGESTIONS]
    buttons = curated.in_reach_of_help(offered, tracker)
    dispatcher.utter_message(text=curated.text("nearest_topics"), buttons=buttons)


class ActionOfferNearestTopics(Action):
    def name(self) -> str:
        return "action_offer_nearest_topics"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        offer_nearest_topics(dispatcher, tracker)
        return []
