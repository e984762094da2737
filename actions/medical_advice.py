"""Personal medication questions: after the refusal (a response), the nearest general topics."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import curated

# Where no passage matches the question, these are the general topics a medication question
# most often leads to.
GENERAL_TOPICS = ("side_effects", "medication_strategies", "finding_help")
OFFERED = 3


class ActionOfferGeneralTopics(Action):
    """Offer the curated topics nearest to the question, the best passage match first."""

    def name(self) -> str:
        return "action_offer_general_topics"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        topics = curated.topics()
        ranked = [match.topic.id for match in curated.search().ranked(tracker.latest_message.get("text") or "")]
        offered = list(dict.fromkeys([*ranked[:1], *GENERAL_TOPICS]))[:OFFERED]
        buttons = curated.in_reach_of_help([topics[topic_id].button for topic_id in offered], tracker)
        dispatcher.utter_message(text=curated.text("general_information"), buttons=buttons)
        return []
