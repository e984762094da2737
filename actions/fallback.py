"""What to say when the NLU could not place a message (FallbackClassifier's `nlu_fallback`)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import curated
from actions.outside_content import offer_nearest_topics
from actions.ranking import likely_topics, unsure_guess


def previous_bot_action(tracker: Tracker) -> str | None:
    """The last action the bot ran before the current user message (action_listen aside)."""
    seen_user_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user_message:
                return None
            seen_user_message = True
        elif seen_user_message and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


class ActionFallback(Action):
    """Say so when the best guess is a question no topic answers; else try the curated passages, then
    "did you mean ...?", then, at a second miss, the topic list."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        second_miss = previous_bot_action(tracker) == self.name()
        guess = None if second_miss else unsure_guess(tracker)
        if guess == "outside_content":
            dispatcher.utter_message(response="utter_outside_content")
            offer_nearest_topics(dispatcher, tracker)
            return []
        if guess == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        topics = curated.topics()
        match = curated.search().best(tracker.latest_message.get("text") or "")
        if match:
            topic = match.topic
            related = [topics[other].button for other in topic.related]
            dispatcher.utter_message(text=curated.text("maybe_this"))
            dispatcher.utter_message(text=topic.answer_text, buttons=curated.in_reach_of_help(related, tracker))
            return [SlotSet("topic", topic.id)]

        suggestions = likely_topics(tracker)
        if second_miss or not suggestions:
            buttons = curated.in_reach_of_help(curated.named_buttons("topics"), tracker)
            dispatcher.utter_message(text=curated.text("topics"), buttons=buttons)
            return []

        buttons = curated.in_reach_of_help([topics[topic_id].button for topic_id in suggestions], tracker)
        dispatcher.utter_message(text=curated.text("did_you_mean"), buttons=buttons)
        return []
