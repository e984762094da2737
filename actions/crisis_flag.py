"""Flags the conversation once the crisis reply has been sent.

The rules run this right after every crisis reply, so the flag follows the reply itself, however it
was reached (a crisis message, "yes" or "not sure" to the check-in, a button). Once flagged, every
later reply keeps the crisis lines one tap away. The reply never waits on this action: it is sent
by the Rasa server first, so it still reaches the person when the action server is down.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from content_library.load import CRISIS_FLAG_SLOT


class ActionFlagCrisis(Action):
    def name(self) -> str:
        return "action_flag_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SlotSet(CRISIS_FLAG_SLOT, True)]
