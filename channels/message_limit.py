"""One length limit for what people send, on every channel.

A message is read by the NLU, the crisis detector and the redaction of the conversation store, all on
the Rasa server's one event loop, so a message of 50,000 characters delays every other conversation's
reply, crisis replies included. Nobody asks about treatment in more than a few thousand characters;
a longer message is cut to the limit, answered as cut (so a crisis in its first part still gets the
crisis reply), stored cut, and followed by a note that says so in plain words. Nothing is dropped
silently, and the original length is kept in the message's metadata for staff.

Every channel wraps the handler it is given with `limited()`, before any of its own code sees the
message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from content_library.load import load_conversation

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARACTERS = 4_000
CUT_NOTE = load_conversation()["texts"]["message_cut"].format(limit=f"{MAX_MESSAGE_CHARACTERS:,}")

Handler = Callable[[UserMessage], Awaitable[Any]]


def cut_to_limit(message: UserMessage) -> bool:
    """Cuts the message's text to the limit in place; whether it was longer."""
    if not isinstance(message.text, str) or len(message.text) <= MAX_MESSAGE_CHARACTERS:
        return False
    logger.info(
        "A message of %d characters in %s was cut to %d.",
        len(message.text),
        message.sender_id,
        MAX_MESSAGE_CHARACTERS,
    )
    message.metadata = {**(message.metadata or {}), "cut_from_characters": len(message.text)}
    message.text = message.text[:MAX_MESSAGE_CHARACTERS].strip()
    return True


def limited(on_new_message: Handler) -> Handler:
    """The channel's handler, with every message cut to the limit and a cut one followed by the note."""

    async def handle(message: UserMessage) -> Any:
        was_cut = cut_to_limit(message)
        handled = await on_new_message(message)
        if was_cut:
            await message.output_channel.send_text_message(message.sender_id, CUT_NOTE)
        return handled

    return handle
