"""Buttons as numbered choices, for apps that only carry text (SMS, and WhatsApp through Twilio).

The assistant offers "1. What is TRD?  2. Treatment options"; the person answers "2", and the
message the assistant reads is that choice's payload ("/treatment_options"), as if it was tapped.

What was offered is not kept by the connector: Rasa already stores every reply it sent, with its
buttons, in the conversation. So the number is read against the replies sent since the person last
wrote, from the conversation store. That survives a restart of the server between the offer and
the answer, holds when several servers share the store, and needs no second store to clean up.
Numbers run on across the replies of one turn (1-3 on the first, 4-5 on the next), so a number
points at one choice only; `choices_offered` counts them in the same order as `numbered`.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.core.agent import Agent
from rasa.shared.core.events import BotUttered, UserUttered

from channels.formatting import choices

ANSWER_BY_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def numbered(buttons: list[dict[str, Any]], first_number: int) -> list[str]:
    return [f"{number}. {button['title']}" for number, button in enumerate(choices(buttons), start=first_number)]


def replied_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons a reply shows: its quick replies if it has them, else its buttons (as Rasa sends them)."""
    return message.get("quick_replies") or message.get("buttons") or []


async def choices_offered(agent: Agent, conversation_id: str) -> list[dict[str, Any]]:
    """The choices of the assistant's replies since the person last wrote, in the order they were numbered."""
    tracker = await agent.tracker_store.retrieve(conversation_id)
    offered: list[dict[str, Any]] = []
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            offered[:0] = choices(replied_buttons(event.data))
    return offered


async def as_chosen(agent: Agent, conversation_id: str, text: str) -> str:
    """The payload of the choice a number answers; any other text as it is."""
    answer = ANSWER_BY_NUMBER.match(text)
    if not answer:
        return text
    offered = await choices_offered(agent, conversation_id)
    number = int(answer.group(1))
    return offered[number - 1]["payload"] if 1 <= number <= len(offered) else text
