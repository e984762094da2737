"""Session start: say what the assistant is and is not before anything else."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import curated


class ActionSessionStart(Action):
    """Rasa's session start, with the short introduction as the first reply of every session.

    A custom session start must carry slots over itself: the crisis flag and the country have to
    outlive a session, so every slot that holds a value is set again after the start.
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=curated.text("intro"), buttons=curated.in_reach_of_help([], tracker))
        carried = [SlotSet(name, value) for name, value in tracker.current_slot_values().items() if value is not None]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
