"""Telling a platform's retry of a message from a new message, so that a retry gets no second reply.

Each platform gives every delivery an id that its retries repeat (Telegram's update_id, Slack's
channel and message time, Twilio's MessageSid, Messenger's mid). The id goes into Rasa as the user
message's id, so it is stored with the conversation; it is written in word characters only
("telegram_912345678"), which the store's redaction of phone numbers leaves alone (it would take a
bare "912345678" for one). A delivery is a repeat when:
- this server has taken it already: that catches a retry that comes while the first delivery is
  still being answered (Slack retries after 3 seconds without an answer), which the conversation
  cannot show yet;
- or the conversation already holds a message with that id: that catches a retry that comes after a
  restart, or to another server sharing the conversation store.
A delivery whose handling fails is let go again, so that the platform's retry is answered.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from rasa.core.agent import Agent
from rasa.shared.core.events import UserUttered

REMEMBERED = 10_000  # far more than arrive between a delivery and its last retry


class Deliveries:
    def __init__(self, app: str, remembered: int = REMEMBERED) -> None:
        self._app = app
        self._taken: OrderedDict[str, None] = OrderedDict()
        self._remembered = remembered

    def message_id(self, delivery: str) -> str:
        return re.sub(r"\W", "_", f"{self._app}_{delivery}")

    async def first_time(self, agent: Agent, conversation_id: str, message_id: str) -> bool:
        # Taken before any await, so a retry arriving meanwhile is turned away.
        if message_id in self._taken:
            return False
        self._taken[message_id] = None
        if len(self._taken) > self._remembered:
            self._taken.popitem(last=False)
        tracker = await agent.tracker_store.retrieve(conversation_id)
        events = tracker.events if tracker else []
        return not any(isinstance(event, UserUttered) and event.message_id == message_id for event in events)

    def let_go(self, message_id: str) -> None:
        self._taken.pop(message_id, None)
