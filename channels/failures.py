"""A message that could not be answered because of a fault on the server's side is answered in plain words.

Without this, a failure (the conversation store down after its retries, stores/tracker_store.py)
reaches Rasa's channel code, which for REST logs the person's text in the server's log and for the
widget says nothing at all: the person waits for a reply that never comes. Here the person is told
that something went wrong and what to do if they need help now, and the log names the conversation
only, never what was said. REST, the widget and Slack (which is answered before the message is
handled, so never delivers it again) use it; Telegram, Twilio and Messenger are left to their
platforms' retries instead: their handlers let the failure through, so the platform delivers the
message again later.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import UserMessage

from channels.message_limit import Handler
from content_library.load import load_conversation

logger = logging.getLogger(__name__)

FAILED = load_conversation()["texts"]["message_failed"]


def answered_if_failed(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except Exception:
            logger.exception("Could not answer a message in conversation %s.", message.sender_id)
            await message.output_channel.send_text_message(message.sender_id, FAILED)
            return None

    return handle
