"""Conversation ids for the messaging apps: a keyed hash of the platform's id, never the id itself.

A Telegram chat id, a Slack member id, a Messenger page-scoped id or a phone number names a person
to anyone who has it. Were it the conversation id, whoever could read the conversation store, or
post to another channel with a chosen `sender`, could tell whether that person talked to the
assistant and whether they had a crisis. The id is instead `<channel>_<24 hex digits>`: an HMAC of
the platform's id under the channel's own secret, so the same person always finds their
conversation, nobody without the secret can go from a person to a conversation, and the channel
prefix keeps each channel's ids apart from every other's. Rotating a channel's secret starts every
person of that channel on a new conversation (README, "Messaging apps").

Rasa sends replies to the conversation id, which is no address any more: `Readdressed` sends one
turn's replies to the platform id the message came from.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from rasa.core.channels.channel import OutputChannel

DIGEST_CHARACTERS = 24  # 96 bits: no two people share a conversation


def keyed_digest(platform_id: str, secret: str) -> str:
    """What stands for a platform's id wherever it would be stored: an HMAC of it, cut to 96 bits."""
    return hmac.new(secret.encode(), platform_id.encode(), hashlib.sha256).hexdigest()[:DIGEST_CHARACTERS]


def conversation_id(channel: str, platform_id: str, secret: str) -> str:
    return f"{channel}_{keyed_digest(platform_id, secret)}"


class Readdressed(OutputChannel):
    """One turn's replies, sent through `output` to the person's platform id."""

    def __init__(self, output: OutputChannel, platform_id: str) -> None:
        self.output = output
        self.platform_id = platform_id

    def name(self) -> str:  # responses written for one channel are chosen by this name
        return self.output.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.output.send_response(self.platform_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # the channels' own notes (a message cut to the limit, a failure) are sent as plain texts
        await self.output.send_text_message(self.platform_id, text, **kwargs)
