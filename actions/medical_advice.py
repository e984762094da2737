"""Personal medication questions: a kind refusal, the prescriber, and general information."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import curated

# Where no passage matches the question, these are the general topics a medication question
# most often leads to.
GENERAL_TOPICS = ("side_effects", "medication_strategies", "finding_help")
RELATED_LIMIT = 3


class ActionMedicalAdvice(Action):
    """Refuse personal advice, point to the prescriber, and offer the nearest curated topics."""

    def name(self) -> str:
        return "action_medical_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        topics = curated.topics()
        ranked = [match.topic.id for match in curated.search().ranked(tracker.latest_message.get("text") or "")]
        offered = list(dict.fromkeys([*ranked[:1], *GENERAL_TOPICS]))[:RELATED_LIMIT]
        dispatcher.utter_message(
            response="utter_medical_advice", buttons=[topics[topic_id].button for topic_id in offered]
        )
        return []
